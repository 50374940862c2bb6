/**
 * Where things are in the editor's JSON text. `JSON.parse` says what is wrong in words
 * that differ per browser and often without a position; this scanner follows the JSON
 * grammar itself so a syntax error gets an exact offset, and it records where each value
 * starts under the path syntax `parseRuleSet` reports (`rules[2].when.all[0].input`), so a
 * rule error can point at its line.
 */

export type JsonScan =
  | { ok: true; offsets: Map<string, number> }
  | { ok: false; offset: number; message: string };

export function scanJson(text: string): JsonScan {
  const scanner = new Scanner(text);
  try {
    scanner.document();
    return { ok: true, offsets: scanner.offsets };
  } catch (err) {
    if (err instanceof SyntaxFailure) return { ok: false, offset: err.offset, message: err.message };
    throw err;
  }
}

/** The offset of `path`, or of its nearest ancestor that the text has (a missing field points at its object). */
export function offsetOfPath(offsets: ReadonlyMap<string, number>, path: string): number | null {
  for (let p = path; ;) {
    const offset = offsets.get(p);
    if (offset !== undefined) return offset;
    if (p === '') return null;
    const parent = p.replace(/(\.[^.[\]]*|\[\d+\])$/, '');
    p = parent === p ? '' : parent;
  }
}

/** 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1, lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

class SyntaxFailure extends Error {
  constructor(readonly offset: number, message: string) { super(message); }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;

class Scanner {
  readonly offsets = new Map<string, number>();
  private pos = 0;

  constructor(private readonly text: string) {}

  document(): void {
    this.value('');
    this.space();
    if (this.pos < this.text.length) this.fail('unexpected text after the end of the JSON document');
  }

  private value(path: string): void {
    this.space();
    if (!this.offsets.has(path)) this.offsets.set(path, this.pos);
    const c = this.text[this.pos];
    if (c === undefined) this.fail('unexpected end of text: a value is missing');
    if (c === '{') return this.object(path);
    if (c === '[') return this.array(path);
    if (c === '"') { this.string(); return; }
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const word of ['true', 'false', 'null']) {
      if (this.text.startsWith(word, this.pos)) { this.pos += word.length; return; }
    }
    this.fail(`unexpected ${quote(c)}: expected a value (object, array, string, number, true, false or null)`);
  }

  private object(path: string): void {
    this.pos++;
    this.space();
    if (this.text[this.pos] === '}') { this.pos++; return; }
    for (;;) {
      this.space();
      if (this.text[this.pos] !== '"') this.fail('expected a property name in double quotes');
      const keyAt = this.pos;
      const key = this.string();
      const member = path ? `${path}.${key}` : key;
      // A member is located by its key: that is where "unknown field" errors belong.
      this.offsets.set(member, keyAt);
      this.space();
      if (this.text[this.pos] !== ':') this.fail(`expected ':' after the property name "${key}"`);
      this.pos++;
      this.value(member);
      if (this.separator('}', 'after a property value')) return;
    }
  }

  private array(path: string): void {
    this.pos++;
    this.space();
    if (this.text[this.pos] === ']') { this.pos++; return; }
    for (let i = 0; ; i++) {
      this.value(`${path}[${i}]`);
      if (this.separator(']', 'after an array element')) return;
    }
  }

  /** After a member or element: true at the closing bracket, false after a comma (with more to come). */
  private separator(close: '}' | ']', where: string): boolean {
    this.space();
    const c = this.text[this.pos];
    if (c === close) { this.pos++; return true; }
    if (c !== ',') this.fail(`expected ',' or '${close}' ${where}`);
    const comma = this.pos++;
    this.space();
    if (this.text[this.pos] === close) this.fail(`trailing comma: JSON allows no ',' before '${close}'`, comma);
    return false;
  }

  private string(): string {
    const start = this.pos++;
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined || c === '\n') this.fail('unterminated string: the closing " is missing', start);
      if (c === '"') break;
      if (c < ' ') this.fail('control character in a string: write it as an escape such as \\t');
      if (c === '\\') {
        const e = this.text[this.pos + 1];
        if (e !== undefined && '"\\/bfnrt'.includes(e)) this.pos += 2;
        else if (e === 'u' && HEX4.test(this.text.slice(this.pos + 2, this.pos + 6))) this.pos += 6;
        else this.fail('invalid escape sequence in a string');
        continue;
      }
      this.pos++;
    }
    this.pos++;
    return JSON.parse(this.text.slice(start, this.pos)) as string;
  }

  private number(): void {
    NUMBER.lastIndex = this.pos;
    if (!NUMBER.test(this.text)) this.fail('invalid number');
    this.pos = NUMBER.lastIndex;
  }

  private space(): void {
    for (let c = this.text[this.pos]; c === ' ' || c === '\n' || c === '\r' || c === '\t'; c = this.text[++this.pos]);
  }

  private fail(message: string, at = this.pos): never {
    throw new SyntaxFailure(at, message);
  }
}

function quote(c: string): string {
  return c === "'" ? '"\'"' : `'${c}'`;
}
