// The report page's one style sheet, inline (the CSP allows exactly it by hash).
export const PAGE_STYLE = `body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1b1f24;background:#fff}
h1{font-size:22px;margin:0 0 8px}h2{font-size:17px;margin:24px 0 8px}h4{margin:10px 0 4px}
.muted{color:#57606a}.gate{font-size:16px;padding:8px 12px;border-radius:6px}.gate.ok{background:#dafbe1}.gate.bad{background:#ffebe9}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{border:1px solid #d0d7de;border-radius:8px;padding:10px 16px;min-width:110px}.card .num{display:block;font-size:24px;font-weight:600}
.card.fail .num{color:#cf222e}.card.unknown .num{color:#9a6700}.card.pass .num{color:#1a7f37}
table{border-collapse:collapse;margin:6px 0}th,td{border-bottom:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}td.n{text-align:right}
.grid{display:flex;gap:24px;flex-wrap:wrap}.findings{width:100%}.findings tr.row{cursor:pointer}.findings tr.row:hover{background:#f6f8fa}
td.status.fail,td.fail{color:#cf222e}td.status.unknown,td.unknown{color:#9a6700}td.status.pass{color:#1a7f37}td.status.suppressed{color:#57606a}
td.sev.critical{color:#8250df;font-weight:600}td.sev.high{color:#cf222e}td.sev.medium{color:#9a6700}
.detail{background:#f6f8fa;padding:8px 12px;border-radius:6px}pre{white-space:pre-wrap;background:#eaeef2;padding:8px;border-radius:4px}dt{font-family:monospace}dd{margin:0 0 6px 16px;white-space:pre-wrap;word-break:break-all}
.filters label{margin-right:10px}.chart text{font-size:12px}.chart rect.fail{fill:#cf222e}.chart rect.unknown{fill:#d4a72c}.chart rect.suppressed{fill:#8c959f}.chart rect.pass{fill:#2da44e}
.blast text{font-size:12px}.blast line{stroke:#8c959f}.blast rect{fill:#f6f8fa;stroke:#8c959f}.blast .conn rect{fill:#ddf4ff;stroke:#0969da}.blast .admin rect{fill:#ffebe9;stroke:#cf222e}.blast .unknown rect{fill:#fff8c5;stroke:#9a6700}
.legend .fail{color:#cf222e}.legend .unknown{color:#d4a72c}.legend .suppressed{color:#8c959f}.legend .pass{color:#2da44e}`;
