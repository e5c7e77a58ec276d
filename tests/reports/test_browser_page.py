"""The report as a reader meets it in Chromium: nothing offers to upload or leave the page,
every text is readable (contrast), the keyboard reaches the content, and the page holds at
800 px and when printed.

Same browser and skip rules as ``test_browser.py`` (its ``driver`` fixture and ``_open``).
"""

from __future__ import annotations

import pytest

from reports import write_report
from tests.reports.fixtures import make_counterfactual_result
from tests.reports.test_browser import HEIGHT, WIDTH, _open, driver  # noqa: F401 (fixture)

PRINT_WIDTH = 720  # px: an A4 page's width less its margins, at 96 px per inch

# Geometry of every table against the box it sits in: wider than it, does the box scroll
# with a scrollbar a reader can see?
TABLES_JS = """
return Array.from(document.querySelectorAll('table')).filter(t => t.offsetParent !== null)
  .map(t => {
    const box = t.parentElement, style = getComputedStyle(box);
    return {head: t.innerText.slice(0, 60), table: t.scrollWidth, box: box.clientWidth,
            overflow: style.overflowX, bar: box.offsetHeight - box.clientHeight,
            right: t.getBoundingClientRect().right,
            page: document.documentElement.clientWidth};
  });"""

# WCAG contrast of every visible text (its own text nodes) against the first opaque
# background found walking up from it.
CONTRAST_JS = """
function rgba(text) {
  const v = text.match(/[\\d.]+/g).map(Number);
  return {r: v[0], g: v[1], b: v[2], a: v.length > 3 ? v[3] : 1};
}
function over(top, bottom) {
  const a = top.a;
  return {r: top.r * a + bottom.r * (1 - a), g: top.g * a + bottom.g * (1 - a),
          b: top.b * a + bottom.b * (1 - a), a: 1};
}
function background(el) {
  const layers = [];
  for (let e = el; e; e = e.parentElement) {
    const c = rgba(getComputedStyle(e).backgroundColor);
    if (c.a > 0) { layers.push(c); if (c.a >= 1) break; }
  }
  let colour = {r: 255, g: 255, b: 255, a: 1};
  for (let i = layers.length - 1; i >= 0; i--) colour = over(layers[i], colour);
  return colour;
}
function luminance(c) {
  const f = v => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
}
function ratio(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}
const out = [];
for (const el of document.body.querySelectorAll('*')) {
  if (el.closest('svg, script, style, .modebar')) continue;
  const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
  if (!own && !el.classList.contains('badge')) continue;
  const style = getComputedStyle(el), box = el.getBoundingClientRect();
  if (style.visibility !== 'visible' || box.width === 0 || box.height === 0
      || el.closest('.visually-hidden')) continue;
  if (el.closest('details:not([open])') && !el.closest('summary')) continue;
  const bg = background(el);
  const fg = over(rgba(style.color), bg);
  out.push({tag: el.tagName, cls: el.className, text: el.textContent.trim().slice(0, 40),
            ratio: ratio(fg, bg), badge: el.classList.contains('badge')});
}
return out;"""


def wide_result() -> dict:
    """The full fixture with counterfactual probes (every kind of chart, menu and table), its
    per-group tables as wide as the audit makes them: nine metrics, as the demo report has."""
    result = make_counterfactual_result()
    for model in result["models"].values():
        for row in model["per_group"]:
            for new, old in (("fnr", "tpr"), ("error_rate", "accuracy"), ("fdr", "precision"),
                             ("for", "fpr")):
                value, low, high = row[old], row[f"{old}_low"], row[f"{old}_high"]
                row[new] = None if value is None else round(1 - value, 6)
                row[f"{new}_low"] = None if high is None else round(1 - high, 6)
                row[f"{new}_high"] = None if low is None else round(1 - low, 6)
                row[f"{new}_status"] = row[f"{old}_status"]
    return result


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    return write_report(wide_result(), tmp_path_factory.mktemp("page") / "report.html")


@pytest.fixture
def page(driver, report):  # noqa: F811
    driver.set_window_size(WIDTH, HEIGHT)
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    _open(driver, report)
    return driver


def test_nothing_offers_an_upload_or_an_external_link(page):
    found = page.execute_script("""
        return {
          hrefs: Array.from(document.querySelectorAll('[href]')).map(e => e.getAttribute('href')),
          forms: document.querySelectorAll('form').length,
          buttons: Array.from(document.querySelectorAll('.modebar-btn'))
                     .map(b => b.getAttribute('data-title')),
          logos: document.querySelectorAll('.modebar a[href], .plotlyjsicon').length,
          text: document.body.innerText,
          sharing: Array.from(document.querySelectorAll('div.chart')).map(
                     gd => gd._context.showSendToCloud || gd._context.plotlyServerURL !== ''),
        };""")
    assert found["hrefs"] and all(h.startswith(("#", "data:")) for h in found["hrefs"]), [
        h for h in found["hrefs"] if not h.startswith(("#", "data:"))]
    assert found["forms"] == 0 and found["logos"] == 0
    charts = len(found["sharing"])
    assert charts > 10 and not any(found["sharing"])
    titles = [t.lower() for t in found["buttons"]]
    assert titles.count("download plot as a png") == charts  # the download stays
    for word in ("upload", "cloud", "chart studio", "edit in", "share"):
        assert not [t for t in titles if word in t], (word, set(titles))
    for word in ("upload", "cloud", "chart studio", "edit in"):
        assert word not in found["text"].lower(), word


def test_every_chart_has_a_text_alternative_and_its_data(page):
    charts = page.execute_script("""
        return Array.from(document.querySelectorAll('div.chart')).map(gd => {
          const details = gd.parentElement.querySelector('#' + gd.id + '-data');
          const cells = details ? Array.from(details.querySelectorAll('th, td')) : [];
          return {role: gd.getAttribute('role'), label: gd.getAttribute('aria-label'),
                  title: gd._fullLayout.title.text,
                  described: document.getElementById(gd.getAttribute('aria-describedby'))
                             ? document.getElementById(gd.getAttribute('aria-describedby'))
                                 .textContent : null,
                  open: details ? details.open : null,
                  summary: details ? details.querySelector('summary').textContent : null,
                  cells: cells.map(c => c.textContent),
                  traces: gd.data.filter(t => (t.x || t.y || []).length).map(t => t.name)};
        });""")
    assert len(charts) > 10
    parser = page.execute_script  # decode plotly's entities as the page shows them
    for chart in charts:
        title = parser("const t = document.createElement('textarea'); t.innerHTML = "
                       "arguments[0]; return t.value;", chart["title"])
        assert chart["role"] == "img" and chart["label"] == title, chart
        assert chart["described"].startswith("Data of this chart")
        assert chart["open"] is False and chart["summary"].startswith("Data of this chart")
        for name in chart["traces"]:
            shown = parser("const t = document.createElement('textarea'); t.innerHTML = "
                           "arguments[0]; return t.value;", name)
            # The name, or the name and its panel's axis (a chart of two panels).
            assert any(c == shown or c.startswith(shown + " (") for c in chart["cells"]), (
                chart["title"], shown)


def test_first_tab_stop_is_the_skip_link_and_no_stop_is_in_a_toolbar(page):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    stops = page.execute_script("""
        return Array.from(document.querySelectorAll(
            'a[href], button, input, select, textarea, summary, [tabindex]'))
          .filter(e => e.tabIndex >= 0 && !e.disabled).length;""")
    modebar_buttons = page.execute_script("return document.querySelectorAll("
                                          "'.modebar-btn').length")
    assert modebar_buttons > 10
    seen = []
    for _ in range(stops + 1):
        ActionChains(page).send_keys(Keys.TAB).perform()
        seen.append(page.execute_script("""
            const e = document.activeElement;
            return {tag: e.tagName, text: (e.textContent || '').trim().slice(0, 40),
                    toolbar: !!e.closest('.modebar'), visible: e.getBoundingClientRect().top >= 0};
            """))
    assert seen[0]["tag"] == "A" and seen[0]["text"] == "Skip to the summary"
    assert seen[0]["visible"]  # hidden until focused, then on screen
    assert not [s for s in seen if s["toolbar"]]
    charts = page.execute_script("return document.querySelectorAll('div.chart').length")
    assert stops < charts + 40  # one stop per chart (its data), where its toolbar had seven


def test_every_text_and_badge_has_a_contrast_of_at_least_4_5(page):
    page.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")
    texts = page.execute_script(CONTRAST_JS)
    assert len(texts) > 200 and sum(t["badge"] for t in texts) > 5
    low = [t for t in texts if t["ratio"] < 4.5]
    assert not low, low[:10]


def test_at_800_px_every_table_fits_or_scrolls_visibly(page, report):
    page.set_window_size(800, 1000)
    _open(page, report)
    page.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")
    tables = page.execute_script(TABLES_JS)
    assert len(tables) > 20
    wide = [t for t in tables if t["table"] > t["box"]]
    assert wide  # the per-group tables do not fit 800 px: they must scroll
    for t in wide:
        assert t["overflow"] in ("auto", "scroll") and t["bar"] > 0, t
    assert page.execute_script("return document.documentElement.scrollWidth") <= 800


def test_at_800_px_no_menu_covers_a_title(page, report):
    page.set_window_size(800, 1000)
    _open(page, report)
    clashes = page.execute_script("""
        const hit = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom
                              && b.top < a.bottom;
        const out = [];
        let menus = 0;
        for (const gd of document.querySelectorAll('div.chart')) {
          const titles = gd.querySelectorAll('.gtitle, .annotation-text-g text, .g-xtitle text, '
                                             + '.g-ytitle text, .legend text');
          for (const m of gd.querySelectorAll('.updatemenu-header-group')) {
            menus += 1;
            const box = m.getBoundingClientRect();
            for (const t of titles) {
              if (hit(box, t.getBoundingClientRect())) out.push([gd.id, t.textContent]);
            }
          }
        }
        return {menus: menus, clashes: out};""")
    assert clashes["menus"] >= 5 and clashes["clashes"] == [], clashes


def test_printed_at_a4_width_nothing_is_clipped_and_the_toolbars_are_gone(page):
    # The window first takes the paper's width on screen (the charts follow the resize, to
    # the screen layout's narrower column), then the print media: only the page's print
    # listener can widen the charts to the printed column (plotly waits 100 ms to resize).
    page.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": PRINT_WIDTH, "height": 1000, "deviceScaleFactor": 1, "mobile": False})
    page.execute_async_script("setTimeout(arguments[0], 600)")
    page.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    page.execute_async_script("setTimeout(arguments[0], 600)")
    assert page.execute_script("return matchMedia('print').matches")
    tables = page.execute_script(TABLES_JS)
    assert len(tables) > 20
    clipped = [t for t in tables if t["table"] > t["box"] or t["right"] > t["page"]]
    assert not clipped, clipped[:5]
    shown = page.execute_script("""
        const seen = s => Array.from(document.querySelectorAll(s))
          .filter(e => getComputedStyle(e).display !== 'none' && e.offsetParent !== null).length;
        return {modebars: seen('.modebar-container'), nav: seen('nav.sections'),
                details: seen('details.chart-data'),
                scrollers: Array.from(document.querySelectorAll('.table-wrap'))
                  .filter(e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX)).length,
                charts: Array.from(document.querySelectorAll('div.chart')).map(gd => ({
                  id: gd.id, svg: gd.querySelector('.main-svg').getBoundingClientRect().width,
                  box: gd.getBoundingClientRect().width})),
                page: document.documentElement.scrollWidth};""")
    assert shown["modebars"] == shown["nav"] == shown["details"] == shown["scrollers"] == 0
    assert shown["page"] <= PRINT_WIDTH
    for chart in shown["charts"]:
        assert chart["box"] - 2 <= chart["svg"] <= chart["box"] + 1 <= PRINT_WIDTH + 1, chart


def test_each_section_after_the_summary_starts_a_printed_page(page):
    page.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    breaks = page.execute_script("""
        return Array.from(document.querySelectorAll('main > section')).map(s => [
          s.id, getComputedStyle(s).breakBefore]);""")
    assert breaks[0] == ["summary", "auto"]
    assert len(breaks) >= 9 and all(b == "page" for _, b in breaks[1:]), breaks
    page.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def test_one_minified_plotly_inline(report):
    from plotly.offline import get_plotlyjs
    import plotly

    html = report.read_text("utf-8")
    bundle = get_plotlyjs()
    shipped = (plotly.__file__.rsplit("/", 1)[0] + "/package_data/plotly.min.js")
    with open(shipped, encoding="utf-8") as handle:
        assert handle.read() == bundle  # plotly.py's own .min build, nothing rebuilt
    assert html.count("* plotly.js v") == 1 and html.count("<script src") == 0
    assert bundle.replace("</script", "<\\/script") in html
