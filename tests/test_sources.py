"""openpose.sources: one classifier of the inputs and one decoder of their frames, for the command and Ray."""

from __future__ import annotations

import shutil

import cv2
import numpy as np
import pytest

from conftest import photos, shared_path
from openpose.sources import (
    CAMERA,
    IMAGE,
    VIDEO,
    Failure,
    Frame,
    Note,
    Source,
    classify,
    count_frames,
    read_frames,
    video_frame_count,
)


def _png(path, width=32, height=24, value=0):
    cv2.imwrite(str(path), np.full((height, width, 3), value, np.uint8))
    return path


def test_a_folder_gives_its_images_sorted_and_notes_every_other_file(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("b.png", "a.JPG", "c.txt", "d.avi", "e"):
        (folder / name).write_bytes(b"x")
    (folder / "sub").mkdir()
    (folder / "sub" / "deep.png").write_bytes(b"x")  # not recursive
    got = classify([folder])
    assert got == [
        Source(IMAGE, str(folder / "a.JPG")),
        Source(IMAGE, str(folder / "b.png")),
        Note(f"skipping {folder / 'c.txt'}: not an image file"),
        Source(VIDEO, str(folder / "d.avi")),  # videos in a folder are read (issue 18)
        Note(f"skipping {folder / 'e'}: not an image file"),
    ]


def _gif(path, values=(30, 200, 90)) -> np.ndarray | None:
    """An animated GIF of flat frames at `path`; the first frame as OpenCV decodes it (None: it reads no GIF)."""
    frames = [np.full((24, 32, 3), v, np.uint8) for v in values]
    if hasattr(cv2, "imwriteanimation") and cv2.haveImageWriter(str(path)):
        animation = cv2.Animation()
        animation.frames, animation.durations = frames, [100] * len(frames)
        assert cv2.imwriteanimation(str(path), animation)
    else:  # a 1x1 GIF89a written by hand
        path.write_bytes(bytes.fromhex("4749463839610100010080000000000000ffffff2c00000000010001000002024401003b"))
    return cv2.imread(str(path)) if cv2.haveImageReader(str(path)) else None


def test_a_gif_is_the_same_image_in_a_folder_as_named(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    gif = folder / "a.gif"
    first = _gif(gif)
    in_folder, named = classify([folder]), classify([gif])
    assert in_folder == named == [Source(IMAGE, str(gif))]  # was, in a folder: "skipping ...: not an image file"
    frames = list(read_frames(named[0]))
    assert len(frames) == 1
    if first is None:  # an OpenCV without a GIF decoder: the same failure either way
        assert isinstance(frames[0], Failure) and "cannot decode it as an image" in frames[0].reason
        return
    assert isinstance(frames[0], Frame) and frames[0].index == 0
    np.testing.assert_array_equal(frames[0].image, first)  # the first frame, not the others
    if hasattr(cv2, "imreadanimation"):
        ok, animation = cv2.imreadanimation(str(gif))
        assert ok and len(animation.frames) == 3
        np.testing.assert_array_equal(frames[0].image, animation.frames[0])
        assert not np.array_equal(frames[0].image, animation.frames[1])


def test_a_gif_header_gives_its_size_before_it_is_decoded(tmp_path):
    from openpose.sources import image_header_size

    _gif(tmp_path / "a.gif")
    size = image_header_size((tmp_path / "a.gif").read_bytes()[:64])
    assert size in ((32, 24), (1, 1))  # the animation written by OpenCV, or the hand-written 1x1 GIF
    huge = b"GIF89a" + (40000).to_bytes(2, "little") + (40000).to_bytes(2, "little") + bytes(20)
    assert image_header_size(huge) == (40000, 40000)
    [failure] = read_frames(Source(IMAGE, str(_write(tmp_path / "huge.gif", huge))))
    assert isinstance(failure, Failure) and "too large: 40000x40000 pixels" in failure.reason


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


def test_a_named_file_goes_by_its_extension_then_by_its_content(tmp_path):
    image = _png(tmp_path / "a.png")
    renamed = tmp_path / "photo.data"
    shutil.copy(image, renamed)  # a PNG under an unknown extension: an image decoder recognises it
    text = tmp_path / "notes.txt"
    text.write_text("not an image")
    claimed = tmp_path / "text.avi"  # a video by its extension; decoding will say it is not one
    claimed.write_text("not a video")
    got = classify([image, renamed, text, claimed, tmp_path / "gone.jpg"], camera=3)
    assert got == [
        Source(IMAGE, str(image)),
        Source(IMAGE, str(renamed)),
        Failure(str(text), "not an image or a video (a text file)"),
        Source(VIDEO, str(claimed)),
        Failure(str(tmp_path / "gone.jpg"), "no such file or folder"),
        Source(CAMERA, "3"),
    ]
    assert got[-1].label == "camera 3" and got[-1].stem == "camera3" and got[-1].path is None


def test_a_video_under_an_unknown_extension_is_a_video(tmp_path):
    clip = tmp_path / "clip.bin"
    writer = cv2.VideoWriter(str(tmp_path / "w.avi"), cv2.VideoWriter_fourcc(*"MJPG"), 5.0, (32, 24))
    for k in range(3):
        writer.write(np.full((24, 32, 3), 40 * k, np.uint8))
    writer.release()
    (tmp_path / "w.avi").rename(clip)
    assert classify([clip]) == [Source(VIDEO, str(clip))]
    frames = list(read_frames(Source(VIDEO, str(clip))))
    assert [f.index for f in frames] == [0, 1, 2] and all(isinstance(f, Frame) for f in frames)


def test_absolute_paths(tmp_path, monkeypatch):
    _png(tmp_path / "a.png")
    monkeypatch.chdir(tmp_path)
    assert classify(["a.png"]) == [Source(IMAGE, "a.png")]
    assert classify(["a.png"], absolute=True) == [Source(IMAGE, str(tmp_path / "a.png"))]
    assert classify(["."], absolute=True) == [Source(IMAGE, str(tmp_path / "a.png"))]


def test_a_source_kind_is_checked():
    with pytest.raises(ValueError, match="`kind`"):
        Source("folder", "x")


def test_an_image_is_one_frame_with_index_0(tmp_path):
    path = _png(tmp_path / "a.png", value=7)
    (frame,) = read_frames(Source(IMAGE, str(path)))
    assert frame.source == Source(IMAGE, str(path)) and frame.index == 0 and frame.fps is None
    assert frame.label == str(path) and frame.image.shape == (24, 32, 3) and frame.image[0, 0, 0] == 7


def test_images_that_cannot_be_read_are_failures(tmp_path):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8 not a jpeg")
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    for path, reason in ((broken, "cannot decode"), (empty, "cannot decode"), (tmp_path / "gone.png", "cannot read")):
        (failure,) = read_frames(Source(IMAGE, str(path)))
        assert isinstance(failure, Failure) and failure.label == str(path) and reason in failure.reason


def test_a_video_range_carries_the_frame_numbers():
    video = Source(VIDEO, str(shared_path("media/video.avi")))
    whole = [f.index for f in read_frames(video, count=5)]
    assert whole == [0, 1, 2, 3, 4]
    ranged = list(read_frames(video, start=100, count=3, expected=3))
    assert [f.index for f in ranged] == [100, 101, 102] and all(f.fps and f.fps > 0 for f in ranged)
    reference = cv2.VideoCapture(video.location)
    for _ in range(100):
        reference.grab()
    ok, image = reference.read()
    reference.release()
    assert ok
    np.testing.assert_array_equal(ranged[0].image, image)


def test_a_video_that_gives_fewer_frames_than_expected_ends_with_a_failure():
    video = Source(VIDEO, str(shared_path("media/video.avi")))
    n = video_frame_count(video.location)
    assert n == 205
    items = list(read_frames(video, start=200, expected=10))
    assert [f.index for f in items[:-1]] == list(range(200, 205))
    assert items[-1] == Failure(video.label, "truncated or corrupt: decoded 5 of the 10 frames its header "
                                             "announces for this range")
    (nothing,) = read_frames(video, start=300, count=4)
    assert nothing == Failure(video.label, "no frame could be decoded from frame 300 on")


def test_a_truncated_whole_video_is_checked_against_its_header(tmp_path):
    data = shared_path("media/video.avi").read_bytes()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(data[: len(data) // 10])
    items = list(read_frames(Source(VIDEO, str(cut))))
    assert isinstance(items[-1], Failure) and "truncated or corrupt" in items[-1].reason
    assert 0 < len(items) - 1 < 205
    text = tmp_path / "text.avi"
    text.write_text("not a video")
    (failure,) = read_frames(Source(VIDEO, str(text)))
    assert failure.reason == "a text file, not a video" and video_frame_count(text) is None


def test_a_camera_that_does_not_exist():
    (failure,) = read_frames(Source.camera(57))
    assert failure == Failure("camera 57", "cannot open the camera")


def test_count_frames_from_the_headers(tmp_path):
    paths = photos()[:2]
    if len(paths) < 2:
        pytest.skip("needs two shared photos")
    video = shared_path("media/video.avi")
    items = classify([*paths, video, tmp_path / "gone.jpg"])
    assert count_frames(items) == 2 + 205
    assert count_frames(items, max_frames=10) == 2 + 10


def test_failure_records_round_trip():
    failure = Failure("/x/a.jpg", "cannot decode it")
    assert failure.to_dict() == {"source": "/x/a.jpg", "error": "cannot decode it"}
    assert Failure.from_dict(failure.to_dict()) == failure


def test_recursive_folders_read_a_link_back_up_the_tree_once(tmp_path):
    from openpose.sources import classify as classify_

    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    _png(folder / "a.png")
    _png(folder / "sub" / "b.png")
    (folder / "sub" / "loop").symlink_to(folder, target_is_directory=True)
    got = classify_([folder], recursive=True)
    assert [s for s in got if isinstance(s, Source)] == [Source(IMAGE, str(folder / "a.png")),
                                                         Source(IMAGE, str(folder / "sub" / "b.png"))]
    assert got[-1] == Note(f"skipping {folder / 'sub' / 'loop'}: a folder already read (a link back up the tree)")
    assert classify_([folder]) == [Source(IMAGE, str(folder / "a.png"))]  # not recursive: no sub-folder


def test_stream_urls_are_videos_and_frames_are_selected_and_transformed(tmp_path):
    from openpose.frames import FrameOptions, transform_image
    from openpose.sources import is_stream_url

    assert classify(["rtsp://cam/1", "HTTPS://x/v.mp4"]) == [Source(VIDEO, "rtsp://cam/1"),
                                                             Source(VIDEO, "HTTPS://x/v.mp4")]
    assert not is_stream_url("file:///x.avi") and not is_stream_url(tmp_path)
    images = [_png(tmp_path / f"{i}.png", width=8 + i, height=6) for i in range(5)]
    selection = FrameOptions(frame_first=1, frame_last=3, frame_step=2, frame_flip=True, frame_rotate=90)
    frames = list(selection.select(classify(images)))
    assert [f.source.location for f in frames] == [str(images[1]), str(images[3])]
    assert [f.image.shape for f in frames] == [(9, 6, 3), (11, 6, 3)]
    image = np.arange(24, dtype=np.uint8).reshape(2, 4, 3)
    np.testing.assert_array_equal(transform_image(image, rotate=270),
                                  cv2.rotate(image, cv2.ROTATE_90_COUNTERCLOCKWISE))
    with pytest.raises(ValueError, match="`rotate`"):
        transform_image(image, rotate=45)
    with pytest.raises(ValueError, match="`frame_last` 2 is before `frame_first` 3"):
        FrameOptions(frame_first=3, frame_last=2)


def test_people_min_score_drops_the_low_scoring_people_before_number_people_max():
    """--people-min-score (declared by FrameOptions alone): offered by both commands, applied per frame."""
    import openpose
    from openpose import batch_cli, cli
    from openpose.frames import FrameOptions
    from openpose.synthetic import synthetic_net_output

    result = openpose.postprocess(synthetic_net_output(5, map_size=(32, 24), seed=3)[0], image_size=(256, 192))
    scores = np.sort(result.scores)
    assert len(result) >= 4 and scores[0] < scores[-1]
    cut = float(scores[-3])  # the third best: three people at or above it
    kept = FrameOptions(people_min_score=cut).keep_people(result)
    assert len(kept) == 3 and (kept.scores >= np.float32(cut)).all()
    np.testing.assert_array_equal(kept.poses, result.poses[result.scores >= np.float32(cut)])
    both = FrameOptions(people_min_score=cut, number_people_max=2).keep_people(result)
    np.testing.assert_array_equal(np.sort(both.scores), scores[-2:])
    assert FrameOptions().keep_people(result) is result
    with pytest.raises(ValueError, match="`people_min_score`"):
        FrameOptions(people_min_score=1.5)
    for parser in (cli.build_parser(), batch_cli.build_parser()):
        assert "--people-min-score" in parser.format_help(full=True)
