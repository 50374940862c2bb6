import { describe, expect, it } from 'vitest';
import { lineColumn, offsetOfPath, scanJson } from '../../client/src/designer/jsonText.js';

function syntaxError(text: string) {
  const scan = scanJson(text);
  if (scan.ok) throw new Error('expected a syntax error');
  expect(() => JSON.parse(text)).toThrow();
  return { ...lineColumn(text, scan.offset), message: scan.message };
}

describe('scanJson', () => {
  it('accepts what JSON.parse accepts', () => {
    for (const text of ['{}', '[]', '0', '-1.5e+3', '"a\\u00e9\\n"', 'true', ' null ', '{"a": [1, {"b": false}], "c": "d"}']) {
      expect(scanJson(text).ok).toBe(true);
    }
  });

  it('locates syntax errors by line and column', () => {
    expect(syntaxError('{\n  "a": 1\n  "b": 2\n}')).toEqual({ line: 3, column: 3, message: "expected ',' or '}' after a property value" });
    expect(syntaxError('{\n  "rules": [1, 2,]\n}')).toMatchObject({ line: 2, column: 17, message: expect.stringContaining('trailing comma') });
    expect(syntaxError('{"a": "unterminated\n}')).toMatchObject({ line: 1, column: 7, message: expect.stringContaining('unterminated') });
    expect(syntaxError('{a: 1}')).toMatchObject({ line: 1, column: 2, message: 'expected a property name in double quotes' });
    expect(syntaxError('{"a": 01}')).toMatchObject({ line: 1, column: 8 });
    expect(syntaxError('{"a": tru}')).toMatchObject({ line: 1, column: 7 });
    expect(syntaxError('{"a": 1} x')).toMatchObject({ line: 1, column: 10, message: expect.stringContaining('after the end') });
    expect(syntaxError('{"a": ')).toMatchObject({ message: expect.stringContaining('unexpected end') });
    expect(syntaxError('"bad \\x escape"')).toMatchObject({ column: 6, message: 'invalid escape sequence in a string' });
  });

  it('records where each path starts, in the syntax parseRuleSet reports', () => {
    const text = '{\n  "name": "x",\n  "rules": [\n    {\n      "id": "a",\n      "then": [{ "knob": "enemyDamag", "set": 3 }]\n    }\n  ]\n}';
    const scan = scanJson(text);
    if (!scan.ok) throw new Error(scan.message);
    const line = (path: string) => lineColumn(text, offsetOfPath(scan.offsets, path)!).line;
    expect(line('name')).toBe(2);
    expect(line('rules[0]')).toBe(4);
    expect(line('rules[0].id')).toBe(5);
    expect(line('rules[0].then[0].knob')).toBe(6);
    expect(text.slice(offsetOfPath(scan.offsets, 'rules[0].then[0].knob')!)).toMatch(/^"knob"/);
    // A missing field points at the object that lacks it.
    expect(line('rules[0].when')).toBe(4);
    expect(offsetOfPath(scan.offsets, '')).toBe(0);
  });
});
