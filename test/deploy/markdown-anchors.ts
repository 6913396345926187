/** The anchors GitHub gives a Markdown document's headings (lower case, punctuation dropped, spaces as hyphens). */
export function markdownAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const match of markdown.matchAll(/^#{1,6} (.+)$/gm)) {
    const slug = (match[1] ?? '').trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    anchors.add(slug);
  }
  return anchors;
}
