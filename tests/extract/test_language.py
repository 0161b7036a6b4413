"""A page's language: its declaration, checked against its text (issue 22)."""

from __future__ import annotations

import pytest

from drmcrawl.extract import extract
from drmcrawl.extract.language import text_language

ENGLISH = ("The regulator said on Monday that the new rules would apply to every operator in the country, "
           "and that it was working with the ministry on a plan for the coming year. ") * 3
URDU = ("پاکستان ٹیلی کمیونیکیشن اتھارٹی نے ورچوئل پرائیویٹ نیٹ ورکس کی رجسٹریشن کی آخری تاریخ میں توسیع کر دی ہے "
        "اور کہا ہے کہ یہ فیصلہ صارفین کی سہولت کے لیے کیا گیا ہے۔ ") * 3
ARABIC = ("قالت الهيئة إن القواعد الجديدة ستطبق على جميع المشغلين في البلاد وإنها تعمل مع الوزارة على خطة "
          "للعام المقبل من أجل حماية المستخدمين. ") * 3
GERMAN = ("Die Behörde teilte am Montag mit, dass die neuen Regeln für alle Anbieter im Land gelten und dass sie "
          "mit dem Ministerium an einem Plan für das kommende Jahr arbeite. ") * 3


@pytest.mark.parametrize("text, language", [(ENGLISH, "en"), (URDU, "ur"), (ARABIC, "ar"), (GERMAN, "de"),
                                            ("Too short to tell.", None), ("", None)])
def test_text_language(text, language):
    assert text_language(text) == language


def page(lang: str | None, body: str) -> str:
    attr = f' lang="{lang}"' if lang else ""
    paragraphs = "".join(f"<p>{s.strip()}.</p>" for s in body.split(".") if s.strip())
    return f"<html{attr}><head><title>T</title></head><body><article><h1>A headline here</h1>{paragraphs}</article></body></html>"


@pytest.mark.parametrize("declared, body, language, source", [
    ("en", ENGLISH, "en", "dom.html_lang"),
    ("en-US", URDU, "ur", "text (declared en)"),
    ("ur", ENGLISH, "en", "text (declared ur)"),
    (None, GERMAN, "de", "text (none declared)"),
])
def test_a_declaration_contradicted_by_the_text_gives_way(declared, body, language, source):
    article = extract(page(declared, body), "https://news.example/2024/05/a-story/")
    assert (article.language, article.sources["language"]) == (language, source)
