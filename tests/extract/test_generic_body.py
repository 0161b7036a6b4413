"""Generic main-content detection and body cleaning on hand-written pages."""

from __future__ import annotations

import json

import pytest

from drmcrawl.extract import NotAnArticle, extract

URL = "https://example.org/news/story"


def para(i: int, word: str = "story") -> str:
    return f"<p>Sentence {i} of the {word}, with several words, so it reads like prose in an article.</p>"


def page(body: str, head: str = "<title>Headline</title>", lang: str = "en") -> str:
    return f"<html lang='{lang}'><head>{head}</head><body><h1>Headline</h1>{body}</body></html>"


CHROME = (
    "<header class='site-header'><nav><a href='/'>Home</a><a href='/world'>World</a></nav></header>"
    "<aside class='sidebar'><h3>Most read</h3>" + "".join(f"<p><a href='/x{i}'>Other story {i} with a long linked title</a></p>" for i in range(6)) + "</aside>"
    "<footer><p>Copyright Example Media. All rights reserved, everywhere, always.</p></footer>"
)


def test_chrome_is_left_out():
    body = "<div class='content'>" + "".join(para(i) for i in range(8)) + "</div>" + CHROME
    text = extract(page(body), URL).body
    assert text.split("\n\n")[0].startswith("Sentence 0")
    assert "Other story" not in text and "Copyright" not in text and "Home" not in text
    assert text.count("\n\n") == 7


@pytest.mark.parametrize("widget", [
    "<div class='share-buttons'><a href='#'>Share on Facebook</a> <span>Share by e-mail please</span></div>",
    "<div class='newsletter-signup'><p>Sign up for our newsletter to get the news every morning.</p></div>",
    "<div class='related-articles'><ul><li><a href='/r1'>A related story with a headline</a></li></ul></div>",
    "<figure><img src='a.jpg'><figcaption>Photo caption words here</figcaption></figure>",
    "<p><a href='/other'>Read more: another story about something else entirely</a></p>",
    "<div class='ad-slot'>Advertisement content goes here now</div>",
    "<div class='instagram-media'><p>View this post on Instagram and follow</p></div>",
    "<p><b>Les også: <a href='/x'>Another story about something else entirely</a></b></p>",
    "<p>Lesen Sie auch: <a href='/y'>Ein anderer Bericht über etwas ganz anderes</a></p>",
    "<section aria-label='Newsletter sign-up'><h3>Morning briefing</h3><p>Every day in your inbox.</p></section>",
    "<div class='box'><h3>Morning briefing</h3><p>Every day in your inbox.</p><form><input type='email'></form></div>",
    "<div class='pic'><img src='a.jpg'><span class='newsCaption'>Photo caption words here (Image: Agency)</span></div>",
    "<p><img src='a.jpg'><br><em>Photo caption words here, under the image</em></p>",
    "<div class='article_prev_next'><span class='title'>Another story about something else entirely</span></div>",
])
def test_widgets_inside_the_article_are_removed(widget):
    body = "<article>" + para(0) + para(1) + widget + "".join(para(i) for i in range(2, 7)) + "</article>"
    text = extract(page(body), URL).body
    assert text.count("Sentence") == 7
    assert all(w not in text for w in ("Share", "newsletter", "related story", "caption", "Read more",
                                       "Advertisement", "Instagram", "Another story", "anderer Bericht",
                                       "briefing", "inbox"))


def test_headings_lists_and_quotes_are_kept():
    body = ("<article>" + para(0) + "<h2>A section heading</h2><ul><li>First point of the list here</li>"
            "<li>Second point</li></ul><blockquote><p>A quoted passage from someone.</p></blockquote>"
            + "".join(para(i) for i in range(1, 6)) + "</article>")
    blocks = extract(page(body), URL).body.split("\n\n")
    assert "A section heading" in blocks and "First point of the list here" in blocks
    assert "A quoted passage from someone." in blocks


def test_story_split_over_sections_between_ads_is_joined():
    parts = []
    for n in range(4):
        parts.append("<div class='story-text'>" + "".join(para(10 * n + i) for i in range(3)) + "</div>")
        parts.append("<div class='ad-container'><span>Ad</span></div>")
    text = extract(page("<main>" + "".join(parts) + "</main>" + CHROME), URL).body
    assert text.count("Sentence") == 12


def test_div_and_br_paragraphs():
    body = "<div id='text'>" + "<br><br>".join(f"Line {i} of a page written without paragraph tags, but long enough." for i in range(8)) + "</div>"
    assert extract(page(body), URL).body.count("Line") == 8


def test_standfirst_outside_the_body_is_added_first():
    lead = "The council approved the budget on Monday after a long debate about schools."
    head = f'<title>Headline</title><meta property="og:description" content="{lead}">'
    body = f"<div class='intro'><p class='lead'>{lead}</p></div><div class='article-body'>" + "".join(para(i) for i in range(6)) + "</div>"
    text = extract(page(body, head), URL).body
    assert text.startswith(lead + "\n\n")
    assert text.count(lead) == 1


def test_jsonld_article_body_used_when_the_html_holds_less():
    full = "\n".join(f"Paragraph {i} of the complete story text, as the publisher's data has it." for i in range(30))
    head = "<title>Headline</title>" + '<script type="application/ld+json">' + json.dumps(
        {"@type": "NewsArticle", "headline": "Headline", "articleBody": full}) + "</script>"
    body = "<article>" + "".join(para(i) for i in range(3)) + "<div class='paywall'>Subscribe</div></article>"
    article = extract(page(body, head), URL)
    assert article.sources["body"] == "jsonld.articleBody"
    assert article.body.count("\n\n") == 29


@pytest.mark.parametrize("lang, word", [
    ("ur", "پاکستان میں ڈیجیٹل حقوق کی صورتحال، اور انٹرنیٹ کی بندش"),
    ("ar", "الحقوق الرقمية في المنطقة، وحرية التعبير على الإنترنت"),
    ("zh", "数字权利和网络自由，以及互联网关闭的影响"),
    ("ja", "デジタル権利とインターネットの自由、そして遮断の影響"),
])
def test_non_latin_and_rtl_bodies(lang, word):
    body = "<div dir='rtl' class='matn'>" + "".join(f"<p>{word} {i}。{word}。</p>" for i in range(8)) + "</div>" + CHROME
    text = extract(page(body, lang=lang), URL).body
    assert text.count(word) == 16 and text.count("\n\n") == 7
    assert "Other story" not in text


@pytest.mark.parametrize("html", [
    "<html><body><nav><a href='/'>Home</a></nav></body></html>",
    "<html><body><h1>Only a headline</h1><ul>" + "".join(f"<li><a href='/{i}'>Link {i}</a></li>" for i in range(30)) + "</ul></body></html>",
])
def test_pages_without_a_story_are_not_articles(html):
    with pytest.raises(NotAnArticle):
        extract(html, URL)


def test_loose_paragraphs_after_a_related_links_block_are_not_joined():
    related = "<ul class='more'>" + "".join(f"<li><a href='/r{i}'>Other headline number {i}</a></li>" for i in range(5)) + "</ul>"
    notice = "<p>Please keep your comments on topic; the authors alone are responsible for what they write here.</p>"
    body = ("<div class='wrap'><div class='entry'>" + "".join(para(i) for i in range(8)) + "</div>"
            + related + notice + "</div>")
    text = extract(page(body), URL).body
    assert text.count("Sentence") == 8 and "comments" not in text


def test_loose_paragraph_next_to_the_story_is_still_joined():
    extra = "<p>A closing paragraph that sits next to the story container, with enough words to be prose.</p>"
    body = "<div class='wrap'><div class='entry'>" + "".join(para(i) for i in range(8)) + "</div>" + extra + "</div>"
    assert "closing paragraph" in extract(page(body), URL).body


@pytest.mark.parametrize("dateline", ["", "BERLIN (dpa) - "])
def test_article_body_written_twice_is_kept_once(dateline):
    story = " ".join(f"Sentence {i} of the story in the structured data, plainly told." for i in range(40))
    head = "<title>Headline</title>" + '<script type="application/ld+json">' + json.dumps(
        {"@type": "NewsArticle", "headline": "Headline", "articleBody": dateline + story + " " + story}) + "</script>"
    article = extract(page("<article>" + para(0) + "</article>", head), URL)
    assert article.sources["body"] == "jsonld.articleBody"
    assert article.body.count("Sentence 39 of") == 1 and article.body.count("Sentence 0 of") == 1


def test_article_body_that_merely_repeats_a_phrase_is_untouched():
    story = " ".join(f"Paragraph {i} says something new about the matter at hand." for i in range(40))
    story += " Paragraph 0 says something new about the matter at hand, once more at the end."
    head = "<title>Headline</title>" + '<script type="application/ld+json">' + json.dumps(
        {"@type": "NewsArticle", "headline": "Headline", "articleBody": story}) + "</script>"
    body = extract(page("<article>" + para(0) + "</article>", head), URL).body
    assert body.endswith("once more at the end.")


def test_paragraphs_a_metered_paywall_hides_are_story_text():
    hidden = ("<p class='paywall' aria-hidden='true'>Sentence 98 of the story, sent to every reader but blurred "
              "for those without a subscription.</p>")
    box = "<div class='paywall-box'><p>Subscribe now to read the full story and support our work.</p></div>"
    body = "<article>" + "".join(para(i) for i in range(5)) + hidden + box + "</article>"
    text = extract(page(body), URL).body
    assert "Sentence 98" in text and "Subscribe" not in text


def test_quoted_post_inside_an_embed_wrapper_is_kept():
    tweet = ("<div class='video-container'><blockquote class='twitter-tweet'><p>A quoted post with its own words "
             "in it, as the story cites it.</p>&mdash; Someone (@someone) <a href='#'>May 6, 2024</a></blockquote></div>")
    body = "<article>" + "".join(para(i) for i in range(3)) + tweet + "".join(para(i) for i in range(3, 6)) + "</article>"
    text = extract(page(body), URL).body
    assert "A quoted post with its own words" in text and text.count("Sentence") == 6


@pytest.mark.parametrize("last, kept", [
    ("<p><i>Follow us on </i><a href='https://www.instagram.com/examplenews/'>Instagram</a><i> and </i>"
     "<a href='https://twitter.com/examplenews'>Twitter</a>.</p>", False),
    # a post the story cites is a source, not a plug
    ("<p>The minister announced it <a href='https://twitter.com/minister/status/123'>on Twitter</a> late on Monday.</p>", True),
])
def test_follow_us_lines_under_the_story(last, kept):
    body = "<article>" + "".join(para(i) for i in range(6)) + last + "</article>"
    text = extract(page(body), URL).body
    assert ("Twitter" in text) is kept and text.count("Sentence") == 6


@pytest.mark.parametrize("label", ["Advertisement", "Anzeige", "<small>ADVERTISEMENT</small>", "Publicidad"])
def test_ad_slot_labels_are_not_text(label):
    body = "<article>" + para(0) + f"<div class='x1'>{label}</div>" + "".join(para(i) for i in range(1, 6)) + "</article>"
    blocks = extract(page(body), URL).body.split("\n\n")
    assert len(blocks) == 6 and all(b.startswith("Sentence") for b in blocks)


@pytest.mark.parametrize("line, authors", [
    ("<p class='textauthor'>von Oliver Kring</p>", ["Oliver Kring"]),
    ("<p>By Jane Doe , John Roe</p>", ["Jane Doe", "John Roe"]),
])
def test_by_line_at_the_top_of_the_text_gives_the_authors(line, authors):
    body = "<article>" + line + "".join(para(i) for i in range(6)) + "</article>"
    article = extract(page(body), URL)
    assert article.body.startswith("Sentence 0") and article.authors == authors


def test_a_sentence_starting_with_by_stays():
    first = "<p>By the end of the year, the council had spent most of the money on roads.</p>"
    body = "<article>" + first + "".join(para(i) for i in range(6)) + "</article>"
    assert extract(page(body), URL).body.startswith("By the end of the year")


def test_standfirst_named_as_such_after_the_headline_is_added():
    lead = "China rolled out a network across universities to collect military knowledge, the report finds."
    head = "<title>Headline</title><meta name='description' content='A different teaser text written for search engines only.'>"
    body = (f"<article><header><h1>Headline</h1><p class='detail__excerpt'>{lead}</p></header>"
            "<div class='article-body'>" + "".join(para(i) for i in range(6)) + "</div></article>")
    text = extract(f"<html><head>{head}</head><body>{body}</body></html>", URL).body
    assert text.startswith(lead + "\n\n") and text.count(lead) == 1


def test_a_listing_card_excerpt_is_not_a_standfirst():
    card = ("<article class='card'><h3><a href='/other'>Another story</a></h3><p class='post-excerpt'>"
            "The teaser of another story on this page, long enough to look like a standfirst here.</p></article>")
    body = "<div class='head'><h1>Headline</h1></div><div class='list'>" + card + "</div><div class='article-body'>" + "".join(para(i) for i in range(6)) + "</div>"
    html = f"<html><head><title>Headline</title></head><body>{body}</body></html>"
    assert "teaser of another story" not in extract(html, URL).body


def test_description_without_words_is_no_standfirst():
    head = "<title>Headline</title><meta name='description' content='" + "★ — ★ … " * 8 + "'>"
    assert extract(page("<article>" + "".join(para(i) for i in range(6)) + "</article>", head), URL).body.startswith("Sentence 0")
