"""Honest messages: a warning that holds in several variants is printed once, naming
them; and a --strict build fails on the warnings of outputs it skips as current."""

from __future__ import annotations

from conftest import run_publisher


def glyphless_edition(folder):
    """Three variants; one article holding a character no installed face has."""
    source = folder / "source"
    (source / "articles").mkdir(parents=True)
    (source / "edition.yaml").write_text(
        "title: 缺字\nname: glyph\ndate: 2024-07-15\nvariants: [zh-Hans, zh-Hant-TW, zh-Hant-HK]\n",
        "utf-8",
    )
    # CJK Extension G: no installed font has it.
    (source / "articles" / "a.md").write_text(
        "---\ntitle: 缺字\n---\n\n扩展G区的\U00030000字。\n", "utf-8"
    )
    return source


def test_a_warning_of_every_variant_is_printed_once_naming_them(tmp_path):
    source = glyphless_edition(tmp_path)
    built = run_publisher("build", "pdf", "--source", source, "--out", tmp_path / "out")
    assert built.returncode == 0, built.stderr
    said = [line for line in built.stderr.splitlines() if "U+30000" in line]
    assert len(said) == 1, said
    assert said[0].endswith("(zh-Hans, zh-Hant-TW, zh-Hant-HK)"), said
    assert "a.md:5:" in said[0]


def test_strict_fails_on_warnings_of_outputs_skipped_as_current(tmp_path):
    source = glyphless_edition(tmp_path)
    out = tmp_path / "out"
    first = run_publisher("build", "pdf", "epub", "--source", source, "--out", out)
    assert first.returncode == 0, first.stderr
    # Another invocation, every output of which is current: nothing is rebuilt.
    again = run_publisher(
        "build", "epub", "--variant", "zh-Hans", "--strict", "--source", source, "--out", out
    )
    assert "built 0, up to date 1" in again.stderr, again.stderr
    assert again.returncode == 1, again.stderr
    assert "U+30000" in again.stderr and "--strict" in again.stderr
    # And a build of outputs that have nothing to say passes.
    plain = tmp_path / "plain"
    (plain / "articles").mkdir(parents=True)
    (plain / "edition.yaml").write_text("title: 无字\nname: plain\ndate: 2024-07-15\n", "utf-8")
    (plain / "articles" / "a.md").write_text("---\ntitle: 无字\n---\n\n正文。\n", "utf-8")
    for _ in range(2):
        clean = run_publisher("build", "epub", "--strict", "--source", plain, "--out", out / "p")
        assert clean.returncode == 0, clean.stderr


def test_a_traditional_build_counts_undecided_conversions_and_strict_fails(sample_copy, tmp_path):
    """视频 is a finding two signals agree on (影片 in Taiwan; the second converter and
    Taiwan's vocabulary say 視頻): undecided, the build says so and --strict fails;
    decided with `review --keep`, it passes."""
    dictionary = sample_copy / "dictionary.yaml"
    kept = [line for line in dictionary.read_text(encoding="utf-8").splitlines(True)]
    dictionary.write_text("".join(k for k in kept if not k.startswith("视频:")), "utf-8")
    out = tmp_path / "out"
    arguments = ("build", "epub", "--variant", "zh-Hant-TW", "--source", sample_copy)
    built = run_publisher(*arguments, "--out", out)
    assert built.returncode == 0, built.stderr
    said = [line for line in built.stderr.splitlines() if "ranks high" in line]
    assert len(said) == 1 and "视频" in said[0] and "zh-Hant-TW" in said[0], built.stderr
    assert "dictionary.yaml" in said[0]
    strict = run_publisher(*arguments, "--out", out, "--strict")
    assert strict.returncode == 1 and "ranks high" in strict.stderr
    # Simplified alone: nothing to decide.
    simplified = run_publisher(
        "build", "epub", "--variant", "zh-Hans", "--strict", "--source", sample_copy, "--out", out
    )
    assert simplified.returncode == 0, simplified.stderr
    decided = run_publisher("review", "--keep", "视频", "--source", sample_copy)
    assert decided.returncode == 0, decided.stderr
    again = run_publisher(*arguments, "--out", out, "--strict")
    assert again.returncode == 0, again.stderr
    assert "ranks high" not in again.stderr


def test_cluster_warnings_name_the_editions_own_file(tmp_path):
    """On a real Dask cluster (a LocalCluster of one worker), a warning names the
    edition's file and line, once for its variants, as a local build does."""
    source = glyphless_edition(tmp_path)
    built = run_publisher(
        "build", "pdf", "--executor", "dask", "--jobs", "1",
        "--source", source, "--out", tmp_path / "out",
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    assert "(a new LocalCluster, 1 worker)" in built.stderr
    said = [line for line in built.stderr.splitlines() if "U+30000" in line]
    assert len(said) == 1, said
    assert f"{source / 'articles' / 'a.md'}:5:" in said[0]
    assert said[0].endswith("(zh-Hans, zh-Hant-TW, zh-Hant-HK)")
