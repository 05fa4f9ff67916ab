// The report page's one script, inline and covered by the page's CSP hash. It reads the embedded
// findings (JSON), filters them by severity, rule, account, status and a text search, and shows
// one page of rows at a time, so that 25,000 findings filter without freezing the page. Every
// value reaches the DOM through textContent; links only to https addresses the report wrote.

export const PAGE_SCRIPT = String.raw`(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('linkaudit-data').textContent);
  var rules = data.rules, findings = data.findings, PAGE = 200;
  var $ = function (id) { return document.getElementById(id); };
  var el = function (tag, text, cls) { var e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; };
  var state = { severity: '', rule: '', account: '', status: '', q: '', page: 0 };
  function options(select, values) {
    values.forEach(function (v) { var o = el('option', v); o.value = v; select.appendChild(o); });
  }
  var uniq = function (key) { var s = {}; findings.forEach(function (f) { s[f[key]] = true; }); return Object.keys(s).sort(); };
  options($('f-severity'), ['critical', 'high', 'medium', 'low', 'info'].filter(function (s) { return findings.some(function (f) { return f.severity === s; }); }));
  options($('f-rule'), uniq('rule'));
  options($('f-account'), uniq('account'));
  options($('f-status'), uniq('status'));
  // Lower-cased once: the search is a substring test over rule, resource and message.
  var haystack = findings.map(function (f) { return (f.rule + ' ' + f.arn + ' ' + (f.name || '') + ' ' + f.message).toLowerCase(); });
  function matching() {
    var out = [], q = state.q.toLowerCase();
    for (var i = 0; i < findings.length; i++) {
      var f = findings[i];
      if (state.severity && f.severity !== state.severity) continue;
      if (state.rule && f.rule !== state.rule) continue;
      if (state.account && f.account !== state.account) continue;
      if (state.status && f.status !== state.status) continue;
      if (q && haystack[i].indexOf(q) < 0) continue;
      out.push(f);
    }
    return out;
  }
  function detail(f) {
    var box = el('div', undefined, 'detail');
    var rule = rules[f.rule] || {};
    box.appendChild(el('p', f.message));
    if (f.evidence.length) {
      var dl = el('dl');
      f.evidence.forEach(function (e) { dl.appendChild(el('dt', e.path)); dl.appendChild(el('dd', e.value)); });
      box.appendChild(el('h4', 'Evidence')); box.appendChild(dl);
    }
    if (rule.remediation) { box.appendChild(el('h4', 'Remediation')); box.appendChild(el('p', rule.remediation)); }
    if (rule.cli) { box.appendChild(el('h4', 'AWS CLI')); box.appendChild(el('pre', rule.cli)); }
    if (rule.cloudformation) { box.appendChild(el('h4', 'CloudFormation')); box.appendChild(el('pre', rule.cloudformation)); }
    if (f.suppression) box.appendChild(el('p', 'Suppressed: ' + f.suppression, 'muted'));
    if (rule.docs && rule.docs.indexOf('https://') === 0) { var a = el('a', 'Rule documentation: ' + f.rule); a.href = rule.docs; a.rel = 'noopener noreferrer'; box.appendChild(a); }
    return box;
  }
  function render() {
    var rows = matching(), body = $('findings-body'), pages = Math.max(1, Math.ceil(rows.length / PAGE));
    if (state.page >= pages) state.page = pages - 1;
    body.replaceChildren();
    rows.slice(state.page * PAGE, (state.page + 1) * PAGE).forEach(function (f) {
      var tr = el('tr', undefined, 'row ' + f.status);
      tr.appendChild(el('td', f.status, 'status ' + f.status));
      tr.appendChild(el('td', f.severity, 'sev ' + f.severity));
      tr.appendChild(el('td', f.rule));
      tr.appendChild(el('td', f.name || f.arn));
      tr.appendChild(el('td', f.account + ' ' + f.region));
      tr.appendChild(el('td', f.message.length > 160 ? f.message.slice(0, 159) + '\u2026' : f.message));
      tr.tabIndex = 0;
      var open = null;
      var toggle = function () {
        if (open) { open.remove(); open = null; return; }
        open = el('tr', undefined, 'detail-row'); var td = el('td'); td.colSpan = 6; td.appendChild(detail(f)); open.appendChild(td); tr.after(open);
      };
      tr.addEventListener('click', toggle);
      tr.addEventListener('keydown', function (e) { if (e.key === 'Enter') toggle(); });
      body.appendChild(tr);
    });
    $('shown').textContent = rows.length + ' of ' + findings.length + ' findings' + (pages > 1 ? ', page ' + (state.page + 1) + ' of ' + pages : '');
    $('prev').disabled = state.page === 0; $('next').disabled = state.page >= pages - 1;
  }
  ['severity', 'rule', 'account', 'status'].forEach(function (k) { $('f-' + k).addEventListener('change', function (e) { state[k] = e.target.value; state.page = 0; render(); }); });
  var timer = null;
  $('f-q').addEventListener('input', function (e) { clearTimeout(timer); timer = setTimeout(function () { state.q = e.target.value; state.page = 0; render(); }, 120); });
  $('prev').addEventListener('click', function () { state.page--; render(); });
  $('next').addEventListener('click', function () { state.page++; render(); });
  document.documentElement.dataset.ready = 'true';
  render();
})();`;
