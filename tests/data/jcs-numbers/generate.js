// Writes numbers.txt: 100,000 JSON number literals, each with the text RFC 8785 gives it,
// as ECMAScript itself (Node's JSON.stringify, i.e. Number::toString) writes it. Run with
// `node generate.js > numbers.txt`; the seed makes it reproducible.
//
// Kinds of literal: doubles from random bit patterns written with 17 significant digits;
// short random decimals with exponents; doubles with binary fractions written exactly (where
// two shortest digit strings tie); integers around 2^53 and beyond that doubles hold exactly;
// tiny, subnormal and huge magnitudes. Literals no double holds (infinite, underflowing to 0,
// or integers past 2^53 that are not doubles, which binge keeps digit for digit by its one
// extension) are left out: standard JCS has nothing to say about them.
let seed = 0x8785n;
function next() {
  seed = (seed * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
  return seed;
}
function below(n) { return Number((next() >> 11n) % BigInt(n)); }
const buf = new DataView(new ArrayBuffer(8));
function randomDouble() {
  for (;;) {
    buf.setBigUint64(0, next());
    const f = buf.getFloat64(0);
    if (Number.isFinite(f)) return f;
  }
}
function digits(n) { let s = ''; for (let i = 0; i < n; i++) s += String(below(10)); return s; }
function exact(f) {
  // The exact decimal expansion of a double with a binary fraction.
  let s = BigInt(Math.trunc(Math.abs(f))).toString();
  let frac = Math.abs(f) - Math.trunc(Math.abs(f));
  if (frac !== 0) {
    s += '.';
    while (frac !== 0) { frac *= 10; const d = Math.trunc(frac); s += d; frac -= d; }
  }
  return (f < 0 ? '-' : '') + s;
}
const out = [];
const seen = new Set();
function add(lit) {
  if (seen.has(lit)) return;
  const f = Number(lit);
  if (!Number.isFinite(f)) return;
  if (f === 0 && /[1-9]/.test(lit.split(/[eE]/)[0])) return;
  if (/^-?\d+$/.test(lit)) {
    const big = BigInt(lit);
    if (BigInt(f) !== big) return;
  }
  seen.add(lit);
  out.push(lit + '\t' + JSON.stringify(f));
}
while (out.length < 100000) {
  const kind = below(10);
  if (kind < 3) {
    add(randomDouble().toPrecision(17).replace('e+', 'e'));
  } else if (kind < 6) {
    const int = digits(1 + below(9)).replace(/^0+(?=\d)/, '');
    const frac = below(3) ? '.' + digits(1 + below(9)) : '';
    const exp = below(2) ? 'e' + (below(2) ? '-' : '') + below(30) : '';
    add((below(2) ? '-' : '') + int + frac + exp);
  } else if (kind < 8) {
    // Around 2^40..2^53 with a fraction of eighths: the shortest digits often tie.
    const whole = 2 ** (40 + below(13)) + below(2 ** 30);
    add(exact(whole + below(8) / 8 * (below(2) ? 1 : -1)));
  } else if (kind < 9) {
    const p = 53 + below(20);
    add(String(BigInt(2) ** BigInt(p) * BigInt(1 + below(1000))));
    add(String(2 ** 53 - below(1000)));
  } else {
    const frac = digits(below(17));
    const mant = (1 + below(9)) + (frac ? '.' + frac : '');
    add(mant + 'e' + (below(2) ? '-' : '') + (290 + below(34)));
  }
}
process.stdout.write(out.slice(0, 100000).join('\n') + '\n');
