// tactful agent workspace: live analysis as the agent types, findings highlighted inline,
// one-click fixes. No build step, no framework. Customer and agent text is only ever put into
// the page with textContent / createTextNode, never innerHTML.
(function () {
  "use strict";
  var dataEl = document.getElementById("page-data");
  var draft = document.getElementById("draft");
  if (!dataEl || !draft) return;
  var page = JSON.parse(dataEl.textContent || "{}");
  var form = document.getElementById("workspace");
  var csrfInput = form ? form.querySelector("input[name=csrf]") : null;
  var csrf = csrfInput ? csrfInput.value : "";
  var scoreEl = document.getElementById("score");
  var statusEl = document.getElementById("live-status");
  var highlightEl = document.getElementById("highlight");
  var findingsEl = document.getElementById("findings");
  var charsWrap = document.getElementById("chars-wrap");
  var editor = document.getElementById("editor");
  var customerInput = document.getElementById("customer");
  var messageInput = document.getElementById("message");
  var findings = page.findings || [];
  var seq = 0;
  var timer = null;
  var DEBOUNCE_MS = 200;
  var SEVERITY = { suggestion: 1, warning: 2, error: 3 };

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function renderScore(score) {
    scoreEl.textContent = String(score);
    scoreEl.className = "score " + (score >= 85 ? "good" : score >= 60 ? "ok" : "bad");
  }

  function renderHighlight(text, list) {
    clear(highlightEl);
    var cuts = { 0: true };
    cuts[text.length] = true;
    var spans = [];
    list.forEach(function (f, i) {
      if (f.start >= 0 && f.start < f.end && f.end <= text.length) {
        spans.push({ i: i, s: f.start, e: f.end, level: f.level });
        cuts[f.start] = true;
        cuts[f.end] = true;
      }
    });
    var points = Object.keys(cuts).map(Number).sort(function (a, b) { return a - b; });
    for (var k = 0; k + 1 < points.length; k++) {
      var a = points[k], b = points[k + 1];
      var piece = text.slice(a, b);
      var covering = spans.filter(function (sp) { return sp.s <= a && b <= sp.e; });
      if (!covering.length) {
        highlightEl.appendChild(document.createTextNode(piece));
        continue;
      }
      var level = covering.reduce(function (best, sp) {
        return (SEVERITY[sp.level] || 0) > (SEVERITY[best] || 0) ? sp.level : best;
      }, "");
      var mark = el("mark", "lvl-" + level, piece);
      mark.setAttribute("data-findings", covering.map(function (sp) { return "f" + sp.i; }).join(" "));
      highlightEl.appendChild(mark);
    }
  }

  function renderFindings(list) {
    clear(findingsEl);
    if (!list.length) {
      findingsEl.appendChild(el("li", "muted none", "No findings."));
      return;
    }
    list.forEach(function (f, i) {
      var li = el("li", "finding lvl-" + f.level);
      li.id = "f" + i;
      li.setAttribute("data-rule", f.rule);
      li.appendChild(el("span", "lvl", f.level));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("code", null, f.rule));
      li.appendChild(el("p", "msg", f.message));
      li.appendChild(el("p", "sugg", "→ " + f.suggestion));
      var label = (page.fixable || {})[f.rule];
      if (label) {
        var btn = el("button", "fix", label);
        btn.type = "submit";
        btn.name = "action";
        btn.value = "fix:" + i + ":" + f.rule;
        btn.setAttribute("data-fix", String(i));
        li.appendChild(btn);
      }
      findingsEl.appendChild(li);
    });
  }

  function renderChars(chars) {
    var table = document.getElementById("chars");
    if (!table) {
      table = el("table", "chars");
      table.id = "chars";
      charsWrap.appendChild(table);
    }
    clear(table);
    Object.keys(chars).forEach(function (name) {
      var c = chars[name];
      var tr = el("tr");
      tr.setAttribute("data-char", name);
      tr.appendChild(el("th", null, name.replace(/_/g, " ")));
      if (c.applicable) {
        var td = el("td");
        var meter = el("meter");
        meter.min = 0; meter.max = 1; meter.low = 0.5; meter.high = 0.8; meter.optimum = 1;
        meter.value = c.score;
        td.appendChild(meter);
        tr.appendChild(td);
        tr.appendChild(el("td", "num", String(Math.round(c.score * 100))));
      } else {
        var na = el("td", "muted", "n/a");
        na.colSpan = 2;
        tr.appendChild(na);
      }
      table.appendChild(tr);
    });
  }

  function render(text, analysis) {
    findings = analysis.findings || [];
    renderScore(analysis.score);
    renderHighlight(text, findings);
    renderFindings(findings);
    renderChars(analysis.characteristics || {});
  }

  function analyzeNow() {
    var text = draft.value;
    var mine = ++seq;
    if (!text.trim()) {
      findings = [];
      scoreEl.textContent = "–";
      clear(highlightEl);
      renderFindings([]);
      return Promise.resolve();
    }
    statusEl.textContent = "analyzing…";
    var t0 = performance.now();
    return fetch("/v1/analyze", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({
        reply: text,
        customer_message: (messageInput ? messageInput.value : page.customer_message) || null,
        customer: customerInput && customerInput.value.trim() ? customerInput.value.trim() : null,
        context: page.context && Object.keys(page.context).length ? page.context : null
      })
    }).then(function (resp) {
      if (!resp.ok) throw new Error("HTTP " + resp.status);
      return resp.json();
    }).then(function (analysis) {
      var ms = performance.now() - t0;
      if (mine !== seq) return;  // a newer keystroke is already on its way
      render(text, analysis);
      window.__tactfulLastAnalyzeMs = ms;
      statusEl.textContent = "live · " + Math.round(ms) + " ms";
      editor.setAttribute("data-analyzed", String(mine));
    }).catch(function () {
      if (mine === seq) statusEl.textContent = "live analysis unavailable; use Analyze";
    });
  }

  function schedule() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(analyzeNow, DEBOUNCE_MS);
  }

  function applyFix(index) {
    var finding = findings[index];
    if (!finding) return;
    fetch("/workspace/fix", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ text: draft.value, finding: finding, snippets: page.snippets || {} })
    }).then(function (resp) {
      if (!resp.ok) throw new Error("HTTP " + resp.status);
      return resp.json();
    }).then(function (out) {
      draft.value = out.text;
      draft.focus();
      draft.setSelectionRange(out.start, out.end);
      return analyzeNow();
    }).catch(function () {
      statusEl.textContent = "that fix could not be applied; edit by hand";
    });
  }

  findingsEl.addEventListener("click", function (ev) {
    var btn = ev.target.closest ? ev.target.closest("button[data-fix]") : null;
    if (!btn) return;
    ev.preventDefault();
    applyFix(Number(btn.getAttribute("data-fix")));
  });
  draft.addEventListener("input", schedule);
  window.tactfulAnalyzeNow = analyzeNow;  // used by the browser benchmark
  if (editor) editor.setAttribute("data-live", "ready");
})();
