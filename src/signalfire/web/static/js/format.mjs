// Numbers and dates for charts, maps and anything a script writes: the twin of web/formatting.py (the Jinja
// filters), so a figure reads the same in a table, a tooltip and a legend. Numbers follow the page's language
// (<html lang>); dates and months are ISO 8601 in every language. docs/UI.md says which to use where.
//   import { fmtInt, fmtNum, fmtSigned, fmtPct, fmtDate, fmtMonth, vegaLocale } from '/static/js/format.mjs';

export const MINUS = '\u2212';

export function lang() {
  return document.documentElement.lang || 'en';
}

function toNumber(value) {
  if (value === null || value === undefined || value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

// none from 100 up, one from 1 to 100, two below 1 (whole numbers and 0 have none)
export function precision(n) {
  const size = Math.abs(n);
  if (size >= 100 || size === 0 || Number.isInteger(n)) return 0;
  return size >= 1 ? 1 : 2;
}

function grouped(n, digits) {
  // CLDR grouping as Babel does it (Polish groups from 5 digits: 4118, 12 192)
  const text = new Intl.NumberFormat(lang(), { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n);
  return text.replace('-', MINUS);
}

// a whole number with thousands separators ('' when missing)
export function fmtInt(value) {
  const n = toNumber(value);
  return n === null ? '' : grouped(Math.round(n), 0);
}

// a measure with sensible precision (digits fixes the decimals)
export function fmtNum(value, digits) {
  const n = toNumber(value);
  if (n === null) return '';
  return grouped(n, digits ?? precision(n));
}

// a change, always signed: +12, −3.5, 0
export function fmtSigned(value, digits) {
  const n = toNumber(value);
  if (n === null) return '';
  const text = fmtNum(Math.abs(n), digits);
  if (!/[1-9]/.test(text)) return text;   // 0 has no sign
  return (n > 0 ? '+' : MINUS) + text;
}

// a share or probability 0–1 as a percentage; above 0 but rounding to 0 shows as '<1%'
export function fmtPct(value, digits = 0) {
  const n = toNumber(value);
  if (n === null) return '';
  const step = 10 ** -(digits + 2);
  const f = new Intl.NumberFormat(lang(), { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits });
  if (n > 0 && n < step / 2) return `<${f.format(step)}`;
  return f.format(n).replace('-', MINUS);
}

function pad(n) { return String(n).padStart(2, '0'); }

function toDate(value) {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  if (typeof value === 'string' && /^\d{4}-\d{2}/.test(value)) return new Date(value.length === 7 ? `${value}-01` : value);
  return null;
}

// ISO date (2023-02-28), read in UTC as the API sends dates
export function fmtDate(value) {
  const d = toDate(value);
  if (!d || Number.isNaN(d.getTime())) return value == null ? '' : String(value);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

// ISO month (2023-02)
export function fmtMonth(value) {
  const d = toDate(value);
  if (!d || Number.isNaN(d.getTime())) return value == null ? '' : String(value).slice(0, 7);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`;
}

// Vega-Embed options so axes and tooltips use the page's number format and month names:
//   vegaEmbed(el, spec, { ...vegaLocale(), actions: false, ... })
// In specs use format ',d' / ',.1f' for numbers and '%Y-%m' (or '%b %Y') for months.
export function vegaLocale() {
  if (lang() === 'pl') {
    return {
      formatLocale: { decimal: ',', thousands: '\u00a0', grouping: [3], currency: ['', '\u00a0zł'], minus: MINUS },
      timeFormatLocale: {
        dateTime: '%A, %e %B %Y, %X', date: '%d.%m.%Y', time: '%H:%M:%S', periods: ['AM', 'PM'],
        days: ['niedziela', 'poniedziałek', 'wtorek', 'środa', 'czwartek', 'piątek', 'sobota'],
        shortDays: ['nie', 'pon', 'wto', 'śro', 'czw', 'pią', 'sob'],
        months: ['styczeń', 'luty', 'marzec', 'kwiecień', 'maj', 'czerwiec', 'lipiec', 'sierpień', 'wrzesień',
          'październik', 'listopad', 'grudzień'],
        shortMonths: ['sty', 'lut', 'mar', 'kwi', 'maj', 'cze', 'lip', 'sie', 'wrz', 'paź', 'lis', 'gru'],
      },
    };
  }
  return {
    formatLocale: { decimal: '.', thousands: ',', grouping: [3], currency: ['$', ''], minus: MINUS },
  };
}

// The chart colours from the page's CSS variables (light charts on a light card in the dark theme too)
export function chartConfig() {
  return {
    font: 'system-ui, sans-serif', background: null, view: { stroke: null },
    axis: { grid: true, gridColor: '#eef0f3', domainColor: '#8b96a3', labelColor: '#4b5563', titleColor: '#4b5563' },
    legend: { labelColor: '#1d2430', titleColor: '#4b5563' },
  };
}
