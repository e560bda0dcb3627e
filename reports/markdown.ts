// Markdown text any GitHub renderer shows literally: every ASCII punctuation character
// that can start or end Markdown or HTML is backslash-escaped (CommonMark allows it for
// all of them), so data cannot open a link, an image, HTML, an entity, emphasis, code, a
// table cell, a mention (`@user`) or an autolink (`:`); line breaks become spaces so a
// value stays in its table cell. `- . / , ; ? = % ' "` stay as they are: within a line
// they mean nothing. The one escaping function for Markdown.

const PUNCTUATION = /[!#$&()*+:<>@[\\\]^_`{|}~]/g;

export function escapeMarkdown(text: string): string {
  return text.replace(/\r\n?|\n/g, " ").replace(PUNCTUATION, "\\$&");
}
