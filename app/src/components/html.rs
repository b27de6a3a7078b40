//! Table rows written straight into a string, for the long tables of the hub (the heat map, the
//! variance and accuracy tables, the portfolio and the event list: hundreds of rows a page).
//! Rendered as Leptos views, each cell cost tens of thousands of instructions (views are nested
//! structs moved by value, each attribute escaped on its own), most of a page's render time on
//! every slider move. The rows go into the page with `inner_html` and are never hydrated: the
//! tables are not islands.
//!
//! Every text and attribute value goes through [`Html::text`] or an attribute list, which escape
//! it; only `&'static str` markup is written as it is.

/// An HTML string under construction.
#[derive(Default)]
pub struct Html(String);

impl Html {
    pub fn with_capacity(bytes: usize) -> Self {
        Html(String::with_capacity(bytes))
    }

    /// `<tag name="value" …>`, each value escaped.
    pub fn open(&mut self, tag: &'static str, attrs: &[(&'static str, &str)]) -> &mut Self {
        self.start(tag);
        for (name, value) in attrs {
            self.attribute(name, value);
        }
        self.0.push('>');
        self
    }

    /// As [`Html::open`], leaving out the attributes whose value is `None`.
    pub fn open_some(&mut self, tag: &'static str, attrs: &[(&'static str, Option<&str>)]) -> &mut Self {
        self.start(tag);
        for (name, value) in attrs {
            if let Some(value) = value {
                self.attribute(name, value);
            }
        }
        self.0.push('>');
        self
    }

    fn start(&mut self, tag: &'static str) {
        self.0.push('<');
        self.0.push_str(tag);
    }

    fn attribute(&mut self, name: &'static str, value: &str) {
        self.0.push(' ');
        self.0.push_str(name);
        self.0.push_str("=\"");
        push_escaped(&mut self.0, value, true);
        self.0.push('"');
    }

    pub fn close(&mut self, tag: &'static str) -> &mut Self {
        self.0.push_str("</");
        self.0.push_str(tag);
        self.0.push('>');
        self
    }

    /// Text, escaped.
    pub fn text(&mut self, text: &str) -> &mut Self {
        push_escaped(&mut self.0, text, false);
        self
    }

    /// `<tag …>text</tag>`.
    pub fn element(&mut self, tag: &'static str, attrs: &[(&'static str, &str)], text: &str) -> &mut Self {
        self.open(tag, attrs).text(text).close(tag)
    }

    /// Markup written by the program itself (never data).
    pub fn markup(&mut self, markup: &'static str) -> &mut Self {
        self.0.push_str(markup);
        self
    }

    /// HTML rendered elsewhere by Leptos (a cached fragment), already escaped.
    pub fn rendered(&mut self, html: &str) -> &mut Self {
        self.0.push_str(html);
        self
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// `text` with `&`, `<` and `>` (and `"` in an attribute value) as character references.
fn push_escaped(out: &mut String, text: &str, attribute: bool) {
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        let reference = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' if attribute => "&quot;",
            _ => continue,
        };
        out.push_str(&text[start..i]);
        out.push_str(reference);
        start = i + 1;
    }
    out.push_str(&text[start..]);
}

#[cfg(test)]
mod tests {
    use super::Html;

    #[test]
    fn text_and_attribute_values_are_escaped() {
        let mut h = Html::default();
        h.open("tr", &[("data-company", r#"A "quoted" <b>&co</b>"#)])
            .element("td", &[("class", "num")], "<script>alert('x')</script> & more")
            .markup("<td></td>")
            .close("tr");
        h.open_some("li", &[("class", None), ("data-version", Some("3")), ("title", Some("a<b"))]).close("li");
        assert_eq!(
            h.into_string(),
            r#"<tr data-company="A &quot;quoted&quot; &lt;b&gt;&amp;co&lt;/b&gt;"><td class="num">&lt;script&gt;alert('x')&lt;/script&gt; &amp; more</td><td></td></tr><li data-version="3" title="a&lt;b"></li>"#
        );
    }

    #[test]
    fn text_keeps_quotes_and_non_ascii() {
        let mut h = Html::default();
        h.text("“Ünïcode” \"q\" — €");
        assert_eq!(h.into_string(), "“Ünïcode” \"q\" — €");
    }
}
