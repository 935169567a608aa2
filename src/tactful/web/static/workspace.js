// tactful agent workspace: live analysis as the agent types, findings (most severe first) highlighted
// in the editor itself, one-click fixes, and "Rewrite my draft" with each change to accept or reject.
// No build step, no framework. Customer and agent text is only ever put into the page with
// textContent / createTextNode, never innerHTML.
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
  var noneEl = document.getElementById("no-findings");
  var charsWrap = document.getElementById("chars-wrap");
  var editor = document.getElementById("editor");
  var customerInput = document.getElementById("customer");
  var messageInput = document.getElementById("message");
  var channelInput = document.getElementById("channel");
  var factsInput = document.getElementById("facts");
  var rewriteBtn = document.getElementById("rewrite-btn");
  var panel = document.getElementById("rewrite-panel");
  var findings = page.findings || [];
  var titles = page.titles || {};
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

  function pageState() {
    return {
      message: messageInput ? messageInput.value : page.customer_message || "",
      channel: channelInput ? channelInput.value : "email",
      facts: factsInput ? factsInput.value : ""
    };
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body)
    }).then(function (resp) {
      if (!resp.ok) throw new Error("HTTP " + resp.status);
      return resp.json();
    });
  }

  function renderScore(score) {
    scoreEl.textContent = String(score);
    scoreEl.className = "score " + (score >= 85 ? "good" : score >= 60 ? "ok" : "bad");
  }

  // The backdrop behind the textarea holds the same text with the findings marked, so the marks sit
  // under the words in the editor itself; it scrolls with the textarea.
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
    syncScroll();
  }

  function syncScroll() {
    highlightEl.scrollTop = draft.scrollTop;
    highlightEl.scrollLeft = draft.scrollLeft;
  }

  function ordered(list) {
    return list.map(function (f, i) { return { f: f, i: i }; }).sort(function (x, y) {
      var d = (SEVERITY[y.f.level] || 0) - (SEVERITY[x.f.level] || 0);
      return d !== 0 ? d : x.f.start - y.f.start;
    });
  }

  function renderFindings(list) {
    clear(findingsEl);
    findingsEl.hidden = !list.length;
    if (noneEl) noneEl.hidden = !!list.length;
    ordered(list).forEach(function (item) {
      var f = item.f, i = item.i;
      var li = el("li", "finding lvl-" + f.level);
      li.id = "f" + i;
      li.setAttribute("data-rule", f.rule);
      li.appendChild(el("span", "lvl", f.level));
      li.appendChild(document.createTextNode(" "));
      var title = el("strong", "title", titles[f.rule] || f.rule);
      title.title = f.rule;
      li.appendChild(title);
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
      if (noneEl) noneEl.hidden = true;
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
    renderHighlight(draft.value, []);  // keep the backdrop under the text while the analysis runs
    if (timer) clearTimeout(timer);
    timer = setTimeout(analyzeNow, DEBOUNCE_MS);
  }

  function setDraft(text, start, end) {
    draft.value = text;
    draft.focus();
    if (start !== undefined) draft.setSelectionRange(start, end);
    return analyzeNow();
  }

  function applyFix(index) {
    var finding = findings[index];
    if (!finding) return;
    var state = pageState();
    post("/workspace/fix", {
      text: draft.value, finding: finding, message: state.message, channel: state.channel, facts: state.facts
    }).then(function (out) {
      return setDraft(out.text, out.start, out.end);
    }).catch(function () {
      statusEl.textContent = "that fix could not be applied; edit by hand";
    });
  }

  // "Rewrite my draft": each change with its words struck and added, a checkbox to keep it or not.
  function renderRewrite(out) {
    clear(panel);
    panel.hidden = false;
    var head = el("h3", null, "Suggested changes ");
    head.appendChild(el("span", "muted", "· score " + out.score_before + " → " + out.score));
    panel.appendChild(head);
    if (!out.changes.length) {
      var none = el("p", "muted", "Nothing to change that tactful can change honestly.");
      none.id = "rewrite-none";
      panel.appendChild(none);
    }
    var list = el("ol", "changes");
    list.id = "rewrite-changes";
    out.changes.forEach(function (c) {
      var li = el("li");
      li.setAttribute("data-index", String(c.index));
      var label = el("label");
      var box = el("input");
      box.type = "checkbox";
      box.checked = true;
      box.value = String(c.index);
      label.appendChild(box);
      label.appendChild(document.createTextNode(" "));
      var title = el("strong", null, c.title);
      title.title = c.rule;
      label.appendChild(title);
      label.appendChild(el("span", "muted", " (" + c.kind + ")"));
      li.appendChild(label);
      var p = el("p", "wdiff");
      p.appendChild(el("span", "ctx", c.context_before));
      p.appendChild(document.createTextNode(" "));
      c.diff.forEach(function (piece) {
        var tag = piece[0] === "-" ? "del" : piece[0] === "+" ? "ins" : null;
        p.appendChild(tag ? el(tag, null, piece[1]) : document.createTextNode(piece[1]));
      });
      p.appendChild(document.createTextNode(" "));
      p.appendChild(el("span", "ctx", c.context_after));
      li.appendChild(p);
      list.appendChild(li);
    });
    if (out.changes.length) {
      panel.appendChild(list);
      var row = el("div", "row");
      var apply = el("button", "primary", "Apply the checked changes");
      apply.type = "button";
      apply.id = "rewrite-apply";
      var dismiss = el("button", null, "Dismiss");
      dismiss.type = "button";
      dismiss.id = "rewrite-dismiss";
      row.appendChild(apply);
      row.appendChild(dismiss);
      panel.appendChild(row);
      apply.addEventListener("click", function () {
        var accept = [];
        list.querySelectorAll("input[type=checkbox]").forEach(function (b) {
          if (b.checked) accept.push(Number(b.value));
        });
        var state = pageState();
        post("/workspace/rewrite/apply", {
          original: out.original, accept: accept, message: state.message, channel: state.channel, facts: state.facts
        }).then(function (res) {
          panel.hidden = true;
          clear(panel);
          return setDraft(res.text);
        }).catch(function () {
          statusEl.textContent = "the changes could not be applied; edit by hand";
        });
      });
      dismiss.addEventListener("click", function () {
        panel.hidden = true;
        clear(panel);
      });
    }
    out.notes.forEach(function (n) { panel.appendChild(el("p", "note", n)); });
  }

  if (rewriteBtn && panel) {
    rewriteBtn.addEventListener("click", function (ev) {
      if (!draft.value.trim()) return;  // the form post says what is missing
      ev.preventDefault();
      var state = pageState();
      statusEl.textContent = "rewriting…";
      post("/workspace/rewrite", {
        text: draft.value, message: state.message, channel: state.channel, facts: state.facts
      }).then(function (out) {
        statusEl.textContent = "";
        renderRewrite(out);
      }).catch(function () {
        statusEl.textContent = "the rewrite is unavailable; use the button without scripts";
      });
    });
  }

  findingsEl.addEventListener("click", function (ev) {
    var btn = ev.target.closest ? ev.target.closest("button[data-fix]") : null;
    if (!btn) return;
    ev.preventDefault();
    applyFix(Number(btn.getAttribute("data-fix")));
  });
  draft.addEventListener("input", schedule);
  draft.addEventListener("scroll", syncScroll);
  window.tactfulAnalyzeNow = analyzeNow;  // used by the browser benchmark
  if (editor) editor.setAttribute("data-live", "ready");
})();
