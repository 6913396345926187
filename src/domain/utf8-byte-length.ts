/**
 * The UTF-8 length of a string, counted without encoding it (the parser bounds every
 * value in bytes, on every callback). A lone surrogate counts 3, as TextEncoder writes U+FFFD.
 *
 * @example utf8ByteLength('é') // 2
 */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}
