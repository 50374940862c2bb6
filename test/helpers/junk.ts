/**
 * Junk for hostile-input tests and the fuzzer: deterministic (seeded), and every value is a
 * message the server must refuse — random values of every JSON shape, and valid messages
 * with exactly one thing broken.
 */

/** Small deterministic PRNG so a failure can be replayed. */
export function prng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const EVIL_NUMBERS = [NaN, Infinity, -Infinity, 1e308, -1e308, 2 ** 53, -0.5, 7, -7, 3.5];

/** Random junk, kept under the 4 KiB frame limit (oversized frames are tested apart). */
export function randomValue(rand: () => number): unknown {
  for (;;) {
    const v = randomJunk(rand, 0);
    if ((JSON.stringify(v) ?? '').length < 3000) return v;
  }
}

function randomJunk(rand: () => number, depth: number): unknown {
  const pick = Math.floor(rand() * (depth > 2 ? 6 : 9));
  switch (pick) {
    case 0: return EVIL_NUMBERS[Math.floor(rand() * EVIL_NUMBERS.length)];
    case 1: return 'x'.repeat(Math.floor(rand() * 300));
    case 2: return rand() < 0.5;
    case 3: return null;
    case 4: return undefined;
    case 5: return Math.floor(rand() * 1e9);
    case 6: return Array.from({ length: Math.floor(rand() * 40) }, () => randomJunk(rand, depth + 1));
    case 7: return JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}');
    default: {
      const o: Record<string, unknown> = {};
      for (let i = 0; i < 4; i++) o[`k${Math.floor(rand() * 10)}`] = randomJunk(rand, depth + 1);
      return o;
    }
  }
}

const VALID_INPUT = { seq: 1, moveX: 1, moveY: 0, aim: 0, fire: false, dash: false };
/** A valid input with exactly one field broken (or an extra/missing field). */
export function mutatedInput(rand: () => number): unknown {
  const m: Record<string, unknown> = { ...VALID_INPUT, seq: 1 + Math.floor(rand() * 1000) };
  const keys = Object.keys(VALID_INPUT);
  const k = keys[Math.floor(rand() * keys.length)]!;
  const r = rand();
  if (r < 0.15) delete m[k];
  else if (r < 0.3) m.extra = 1;
  else if (r < 0.4) return JSON.parse(`{"__proto__": {"x": 1}, "seq": 2, "moveX": 0, "moveY": 0, "aim": 0, "fire": false, "dash": false}`);
  else if (k === 'fire' || k === 'dash') m[k] = rand() < 0.5 ? 1 : 'yes';
  else if (k === 'seq') m[k] = [0, -1, 1.5, 2 ** 31, NaN, '3'][Math.floor(rand() * 6)];
  else m[k] = [NaN, Infinity, -Infinity, 1.01, -1.01, 100, '1', null][Math.floor(rand() * 8)];
  if (k === 'aim' && typeof m.aim === 'number' && Math.abs(m.aim) <= 2 * Math.PI) m.aim = 7;
  return m;
}

export function mutatedChat(rand: () => number): unknown {
  const options = [
    { text: '' }, { text: '   ' }, { text: 'x'.repeat(201) }, { text: 5 }, { text: ['hi'] },
    { text: 'hi', extra: true }, {}, 'hi', ['hi'], null, { text: '\u0000\u0001' },
    JSON.parse('{"__proto__": {"text": "hi"}}'), { text: 'hi', clientId: 'no spaces!' }, { text: 'hi', clientId: 7 },
    { text: 'hi', clientId: 'x'.repeat(65) },
  ];
  return options[Math.floor(rand() * options.length)];
}

/** Answers to recommendations that were never made, or that are not answers at all. */
export function mutatedRecommendation(rand: () => number): unknown {
  const id = '00000000-0000-4000-8000-000000000000';
  const options = [
    { id, action: 'accept' }, { id, action: 'dismiss' }, { id, action: 'maybe' }, { id: 'nope', action: 'accept' },
    { id }, { action: 'accept' }, { id, action: 'accept', extra: 1 }, [id, 'accept'], null, 'accept',
    JSON.parse(`{"__proto__": {"id": "${id}"}, "action": "accept"}`), { id: 5, action: true },
  ];
  return options[Math.floor(rand() * options.length)];
}

/** Reports of lines that were never said, or that are not reports at all. */
export function mutatedReport(rand: () => number): unknown {
  const messageId = '00000000-0000-4000-8000-000000000000';
  const options = [
    { messageId, reason: 'hate' }, { messageId, reason: 'spam' }, { messageId, reason: 'boring' }, { messageId: 'nope', reason: 'hate' },
    { messageId }, { reason: 'hate' }, { messageId, reason: 'hate', extra: 1 }, [messageId, 'hate'], null, 'hate',
    JSON.parse(`{"__proto__": {"messageId": "${messageId}"}, "reason": "hate"}`), { messageId: 5, reason: ['hate'] },
    { messageId: 'x'.repeat(500), reason: 'other' },
  ];
  return options[Math.floor(rand() * options.length)];
}

/** A message type no handler has (numbers included: the SDK sends those as numeric types). */
export function randomType(rand: () => number): string | number {
  const types = ['__proto__', 'constructor', 'hasOwnProperty', 'admin', 'INPUT', '', 'x'.repeat(30)];
  return rand() < 0.2 ? Math.floor(rand() * 255) : types[Math.floor(rand() * types.length)]!;
}
