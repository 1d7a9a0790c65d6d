"""helpers.experiments.literature: the published findings set beside the course's verdicts."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from helpers.experiments import claims, literature as L


def test_every_finding_names_a_listed_source_and_a_claim_the_course_tests():
    assert {cid for cid, *_ in claims.CLAIMS} <= set(L.CLAIM_IDS)
    used = set()
    for f in L.FINDINGS:
        assert f.source in L.SOURCES, f
        assert f.claim in L.CLAIM_IDS, f
        assert f.published in (L.SUPPORTED, L.CONTRADICTED, L.MIXED), f
        assert len(f.what) > 40 and f.what.rstrip().endswith("."), f
        used.add(f.source)
    assert used == set(L.SOURCES), f"sources listed but never cited: {set(L.SOURCES) - used}"
    for s in L.SOURCES.values():
        assert re.match(r"https://\S+$", s.url) and re.search(r"(19|20)\d\d", s.cite), s


def test_the_issue_s_reading_list_is_covered():
    cited = " ".join(s.cite for s in L.SOURCES.values())
    for name in ("Raffel", "Wang", "Zhang et al., 2022", "Radford et al., 2018", "Radford et al., 2019", "Brown",
                 "Su Jianlin", "Bhojanapalli", "Xia", "Lewis", "Tay", "Chung", "NLLB", "Radford et al., 2023",
                 "Zhang et al., 2025"):
        assert name in cited, name


@pytest.mark.parametrize(("published", "ours", "expected"), [
    (L.SUPPORTED, "supported", "agree"), (L.CONTRADICTED, "supported", "disagree"),
    (L.CONTRADICTED, "not supported", "agree"), (L.CONTRADICTED, "contradicted", "agree"),
    (L.SUPPORTED, "within noise", "ours within noise"), (L.SUPPORTED, "not decidable at this scale", "ours within noise"),
    (L.MIXED, "supported", "partly"), (L.SUPPORTED, "not run", "not run here"), (L.MIXED, "not testable", "not run here"),
])
def test_agreement(published, ours, expected):
    assert L.agreement(published, ours) == expected


def test_bad_words_are_refused():
    with pytest.raises(ValueError, match="unknown verdict"):
        L.agreement(L.SUPPORTED, "probably")
    with pytest.raises(ValueError, match="published must be"):
        L.agreement("maybe", "supported")


def test_the_table_follows_this_run_s_verdicts():
    verdicts = [SimpleNamespace(claim_id="E4", verdict="not supported"), SimpleNamespace(claim_id="D1",
                                                                                          verdict="within noise")]
    rows = L.table_rows(verdicts)
    assert len(rows) == len(L.FINDINGS)
    assert [r["claim"] for r in rows] == sorted((r["claim"] for r in rows), key=L.CLAIM_IDS.index)
    flan = next(r for r in rows if r["source"].startswith("Chung"))
    assert (flan["ours"], flan["agreement"]) == ("not supported", "agree")
    assert next(r for r in rows if r["claim"] == "D1")["agreement"] == "ours within noise"
    assert next(r for r in rows if r["claim"] == "W2" or r["claim"] == "A1")["ours"] == "not run"
    table = L.table_markdown(verdicts)
    assert table.count("\n") == len(L.FINDINGS) + 1 and "[Chung et al., 2022](https://arxiv.org/abs/2210.11416)" in table
    assert L.references_markdown().count("\n- ") == len(L.SOURCES) - 1


def test_the_table_can_show_one_claim():
    rows = L.table_rows([SimpleNamespace(claim_id="D5", verdict="supported")], claims=["D5"])
    assert {r["claim"] for r in rows} == {"D5"} and len(rows) == sum(f.claim == "D5" for f in L.FINDINGS) >= 3
    assert "Whisper" in L.table_markdown([], claims=["D5"])
    with pytest.raises(ValueError, match="unknown claim ids"):
        L.table_rows([], claims=["Z9"])


def test_what_the_article_leaves_out_is_cited():
    assert len(L.OMISSIONS) >= 5
    for o in L.OMISSIONS:
        assert all(k in L.SOURCES for k in o.sources), o.title
        assert o.sources or o.judgement, f"{o.title}: a finding needs a source, or is marked a judgement"
        assert o.here.strip() and o.what.rstrip().endswith(".")
    text = L.omissions_markdown()
    assert text.count("\n- **") == len(L.OMISSIONS) - 1 and "*(A judgement.)*" in text
    for name in ("NLLB", "Whisper", "Zhang et al., 2025", "Kwon", "Brown", "Wang"):
        assert name in text, name
