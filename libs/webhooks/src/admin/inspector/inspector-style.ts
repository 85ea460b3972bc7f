/** The inspector's stylesheet, served at `<adminPath>/inspector.css`. */
export const INSPECTOR_STYLE = String.raw`:root {
  --text: #1f2328;
  --muted: #57606a;
  --line: #d0d7de;
  --panel: #f6f8fa;
  --accent: #0a58ca;
  --accent-text: #ffffff;
  --focus: #0a58ca;
  --danger: #a40e26;
  color-scheme: light;
}
* { box-sizing: border-box; }
html { font-size: 100%; }
body {
  margin: 0;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif;
  color: var(--text);
  background: #ffffff;
}
.skip { position: absolute; left: -999px; top: 0; background: var(--accent); color: var(--accent-text); padding: 8px 12px; z-index: 10; }
.skip:focus { left: 8px; top: 8px; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.top {
  display: flex; align-items: center; justify-content: space-between; gap: 12px;
  padding: 10px 20px; border-bottom: 1px solid var(--line); background: var(--panel);
}
.top h1 { font-size: 1.15rem; margin: 0; }
.top-actions { display: flex; gap: 8px; }
main { padding: 16px 20px 40px; max-width: 1400px; margin: 0 auto; }
main:focus { outline: none; }
h2 { font-size: 1.2rem; margin: 0 0 12px; }
h3 { font-size: 1rem; margin: 24px 0 8px; }
a { color: var(--accent); }
code, .mono, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.86rem; }
.muted { color: var(--muted); }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.error-text { color: var(--danger); overflow-wrap: anywhere; }

button, input, select {
  font: inherit; color: inherit; border: 1px solid #8c959f; border-radius: 6px; background: #ffffff;
  min-height: 36px; padding: 5px 10px;
}
button { cursor: pointer; background: #f6f8fa; }
button:not(.primary):not([aria-pressed="true"]):hover:not(:disabled) { background: #eaeef2; }
button.primary { background: var(--accent); border-color: var(--accent); color: var(--accent-text); }
button.primary:hover:not(:disabled) { background: #084298; }
button:disabled { cursor: not-allowed; color: #6e7781; background: #f6f8fa; border-color: #d0d7de; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
input:focus-visible, select:focus-visible { outline-offset: 0; }

.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 14px; }
.signin { max-width: 460px; margin: 40px auto; }
.signin label { display: block; font-weight: 600; margin-bottom: 4px; }
.signin input { width: 100%; }
.alert { color: var(--danger); font-weight: 600; margin: 8px 0; }
#error { background: #ffebe9; border: 1px solid #ff818266; padding: 8px 12px; border-radius: 6px; }
.notice:empty { display: none; }
.notice { background: #ddf4ff; border: 1px solid #54aeff66; padding: 8px 12px; border-radius: 6px; }

.tabs { display: flex; flex-wrap: wrap; gap: 6px; margin-bottom: 12px; }
.tab { border-radius: 999px; }
.tab[aria-pressed="true"] { background: var(--text); border-color: var(--text); color: #ffffff; }
.tab .count { display: inline-block; min-width: 1.6em; padding: 0 6px; border-radius: 999px; background: #ffffffb3; color: var(--text); font-size: 0.8rem; text-align: center; }
.tab[aria-pressed="true"] .count { background: #ffffff; }
.tab-dead .count { background: #ffebe9; color: var(--danger); }

.filters { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 10px 14px; align-items: end; }
.field { display: flex; flex-direction: column; gap: 3px; min-width: 0; }
.field label { font-size: 0.85rem; font-weight: 600; }
@media (min-width: 640px) { .field-wide { grid-column: span 2; } }
.field input, .field select { width: 100%; }
.buttons { display: flex; flex-wrap: wrap; gap: 8px; }
.toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 16px; margin: 12px 0; }
label.inline { display: inline-flex; align-items: center; gap: 6px; }
label.inline input { min-height: 0; width: 18px; height: 18px; }

.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; font-weight: 600; padding: 4px 0 8px; }
caption:focus { outline: none; text-decoration: underline; }
th, td { text-align: left; vertical-align: top; padding: 8px 10px; border-bottom: 1px solid var(--line); }
thead th { font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.03em; color: var(--muted); border-bottom: 2px solid var(--line); white-space: nowrap; }
tbody tr:hover { background: #f6f8fa; }
td.empty { text-align: center; color: var(--muted); padding: 24px; }
.deliveries td { overflow-wrap: anywhere; }
.headers th { width: 30%; font-weight: 600; }

.badge { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 0.8rem; font-weight: 600; border: 1px solid transparent; }
.badge-pending { background: #ddf4ff; color: #0a3069; border-color: #54aeff66; }
.badge-processing { background: #fbefff; color: #6e2b8a; border-color: #d8b9ff; }
.badge-processed, .badge-succeeded { background: #dafbe1; color: #116329; border-color: #4ac26b66; }
.badge-failed { background: #fff8c5; color: #6f4400; border-color: #d4a72c66; }
.badge-dead { background: #ffebe9; color: #a40e26; border-color: #ff818266; }

.pager { display: flex; gap: 8px; justify-content: flex-end; margin-top: 12px; }

.facts { display: grid; grid-template-columns: max-content 1fr; gap: 6px 16px; margin: 0; }
.facts dt { font-weight: 600; color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.actions p { margin: 0 0 8px; }
pre.code {
  background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 12px;
  overflow: auto; max-height: 28rem; white-space: pre; margin: 0 0 8px;
}
details summary { cursor: pointer; margin: 8px 0; color: var(--accent); }

dialog { border: 1px solid var(--line); border-radius: 10px; padding: 20px; max-width: min(520px, 92vw); }
dialog::backdrop { background: #1f232880; }

@media (max-width: 760px) {
  main { padding: 12px 12px 32px; }
  .top { padding: 8px 12px; }
  table.stack thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.stack, table.stack tbody, table.stack tr, table.stack td { display: block; width: 100%; }
  table.stack tr { border: 1px solid var(--line); border-radius: 8px; margin-bottom: 10px; padding: 6px 0; }
  table.stack td { border: 0; padding: 4px 12px; display: grid; grid-template-columns: 7.5rem 1fr; gap: 8px; text-align: left; }
  table.stack td::before { content: attr(data-label); font-weight: 600; color: var(--muted); font-size: 0.85rem; }
  table.stack td.empty { display: block; }
  table.stack td.empty::before { content: none; }
  .facts { grid-template-columns: 1fr; gap: 0; }
  .facts dd { margin-bottom: 8px; }
  .headers th { width: auto; }
}
@media (prefers-reduced-motion: reduce) { * { scroll-behavior: auto; } }
`;
