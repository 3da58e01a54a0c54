/** `text` without U+0000, which no stored text has a use for and PostgreSQL's text type cannot hold. */
export function withoutNul(text: string): string {
  return text.includes('\0') ? text.replaceAll('\0', '') : text;
}
