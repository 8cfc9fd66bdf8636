/* exgen self-check page. Judges answers by comparing numbers with the data exgen computed when
   it wrote the page (exgen/grading/export.py explains every field), as `exgen check` does:
   parseAnswer mirrors grading/numbers.py parse_answer, judge mirrors grading/judge.py. No
   network, no framework. */
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("exgen-data").textContent);
  var OK = 0, MISSING = 1, INVALID = 2;
  var BLANK = ["", "-", "--", "\u2013", "\u2014", "n/a", "N/A", "(no answer)"];
  var NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
  var STORE = "exgen-page:" + DATA.page + ":";

  function parseAnswer(text) {
    if (text === null || text === undefined) return [null, MISSING];
    var s = String(text).replace(/^[\s\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\s\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g, "");
    if (BLANK.indexOf(s) >= 0) return [null, MISSING];
    s = s.replace(/[\u2212\u2013\u2012\ufe63\uff0d]/g, "-").replace(/[\u00a0\u202f\u2009 ]/g, "");
    s = asciiDigits(s);  // Python's \d and float() read every Unicode decimal digit
    if (s.split(",").length === 2 && s.indexOf(".") < 0) s = s.replace(",", ".");
    var v;
    if (s.indexOf("/") >= 0) {
      var at = s.indexOf("/"), num = s.slice(0, at), den = s.slice(at + 1);
      if (NUMBER.test(num) && NUMBER.test(den) && Number(den) !== 0) {
        v = Number(num) / Number(den);
        return isFinite(v) ? [v, OK] : [null, INVALID];
      }
      return [null, INVALID];
    }
    if (!NUMBER.test(s)) return [null, INVALID];
    v = Number(s);
    return isFinite(v) ? [v, OK] : [null, INVALID];
  }

  function asciiDigits(s) {
    return s.replace(/\p{Nd}/gu, function (ch) {
      var cp = ch.codePointAt(0), zeros = DATA.digit_zeros, z = -1;
      if (cp < 128) return ch;
      for (var i = 0; i < zeros.length && zeros[i] <= cp; i++) z = zeros[i];
      return z >= 0 && cp - z <= 9 ? String(cp - z) : "x";
    });
  }

  /* A shape answer ("4x3"): grading/shapes.py's rule, handed over as data (DATA.shape_rule). */
  var SHAPE = null;
  function parseShape(text) {
    var R = DATA.shape_rule;
    if (text === null || text === undefined || !R) return null;
    if (!SHAPE) {
      var sp = "[" + Array.prototype.map.call(R.space, function (c) {
        return "\\u" + ("000" + c.charCodeAt(0).toString(16)).slice(-4);
      }).join("") + "]";
      SHAPE = new RegExp("^(?:" + R.form.replace(/\{s\}/g, sp).replace(/\{d\}/g, "[0-9]") + ")$");
    }
    var m = SHAPE.exec(asciiDigits(String(text)));  // Python's \d reads every Unicode decimal digit
    if (!m) return null;
    var r = m[1] !== undefined ? m[1] : m[3], c = m[1] !== undefined ? m[2] : m[4];
    return r.length <= R.max_digits && c.length <= R.max_digits ? [parseInt(r, 10), parseInt(c, 10)] : null;
  }

  function judgeShape(q, text) {  // grading/shapes.py judge: exact, the transposed shape diagnosed
    var got = parseShape(text);
    if (!got) return parseAnswer(text)[1] === MISSING ? {verdict: "missing", diagnosis: "", credit: 0}
      : {verdict: "invalid", diagnosis: "", credit: 0, shape: true};
    if (got[0] === q.shape[0] && got[1] === q.shape[1]) return {verdict: "correct", diagnosis: "", credit: 1};
    var t = got[0] === q.shape[1] && got[1] === q.shape[0];
    return {verdict: "wrong", diagnosis: t ? DATA.shape_rule.transposed : "", credit: 0};
  }

  function decimalsAtMost(a, d) {  // numbers.decimals_at_most
    if (d === null) return true;
    var scaled = a * Math.pow(10, d);
    return Math.abs(scaled - Math.round(scaled)) < 1e-6;
  }

  function inWindow(a, w) {  // w = [c, r, dec, nz]
    return Math.abs(a - w[0]) <= w[1] && decimalsAtMost(a, w[2]) && (!w[3] || a !== 0);
  }

  function anyWindow(a, ws) {
    for (var i = 0; i < ws.length; i++) if (inWindow(a, ws[i])) return true;
    return false;
  }

  /* One question: {verdict, diagnosis} before error carried forward. */
  function judge(q, value) {
    var ok = anyWindow(value, q.windows), f = q.fewer;
    if (f && decimalsAtMost(value, f.dec) && Math.abs(value - f.c) > f.r) {
      if (f.strict) {  // judged by the fewer-decimals rule alone
        ok = false;
        if (anyWindow(value, f.windows))
          return {verdict: f.credit > 0 ? "correct" : "wrong", diagnosis: "too_few_decimals", credit: f.credit};
      } else {
        ok = ok || anyWindow(value, f.windows);
        if (ok) return {verdict: "correct", diagnosis: "too_few_decimals", credit: f.credit};
      }
    }
    if (ok) return {verdict: "correct", diagnosis: "", credit: 1};
    for (var i = 0; i < q.slips.length; i++) {
      var s = q.slips[i];  // [code, c, r]
      if (Math.abs(value - s[1]) <= s[2]) return {verdict: "wrong", diagnosis: s[0], credit: 0};
    }
    return {verdict: "wrong", diagnosis: "", credit: 0};
  }

  function load(keyId) {
    try { return JSON.parse(window.localStorage.getItem(STORE + keyId) || "null"); } catch (e) { return null; }
  }

  function save(keyId, state) {
    try { window.localStorage.setItem(STORE + keyId, JSON.stringify(state)); } catch (e) { /* storage off */ }
  }

  function Exercise(section, data) {
    this.section = section;
    this.data = data;
    this.blocks = Array.prototype.slice.call(section.querySelectorAll(".q"));
    this.checked = false;
    var self = this;
    section.querySelector("form").addEventListener("submit", function (ev) { ev.preventDefault(); self.check(); });
    this.blocks.forEach(function (b) {
      b.querySelector("input").addEventListener("input", function () { self.store(); });
      var btn = b.querySelector("[data-action=reveal]");
      btn.addEventListener("click", function () { self.reveal(b, btn); });
    });
    var st = load(data.key);
    if (st && st.answers) {
      this.blocks.forEach(function (b) {
        var inp = b.querySelector("input"), v = st.answers[inp.getAttribute("data-question")];
        if (typeof v === "string") inp.value = v;
      });
      if (st.checked) this.check();
    }
  }

  Exercise.prototype.answers = function () {
    var out = {};
    this.blocks.forEach(function (b) {
      var inp = b.querySelector("input");
      out[inp.getAttribute("data-question")] = inp.value;
    });
    return out;
  };

  Exercise.prototype.store = function () {
    save(this.data.key, {answers: this.answers(), checked: this.checked});
  };

  Exercise.prototype.reveal = function (block, btn) {
    var step = block.querySelector(".step"), open = step.hidden;
    step.hidden = !open;
    btn.setAttribute("aria-expanded", open ? "true" : "false");
    btn.textContent = open ? "Hide step" : "Show step";
  };

  Exercise.prototype.check = function () {
    var answers = this.answers(), got = 0, total = 0, result = {}, counts = {};
    var self = this;
    this.data.questions.forEach(function (q, n) {
      var parsed = parseAnswer(answers[q.id]), r;
      if (q.shape) r = judgeShape(q, answers[q.id]);  // nothing depends on a shape
      else if (parsed[1] === MISSING) r = {verdict: "missing", diagnosis: "", credit: 0};
      else if (parsed[1] === INVALID) r = {verdict: "invalid", diagnosis: "", credit: 0};
      else {
        r = judge(q, parsed[0]);
        r.numeric = true;
        if (r.verdict !== "correct") {  // built on an earlier answer that is off: fix that first
          var off = q.depends_on.filter(function (d) { return result[d] && result[d].numeric && result[d].verdict !== "correct"; });
          if (off.length) { r.diagnosis = ""; r.fixFirst = off[0]; }
        }
      }
      result[q.id] = r;
      counts[r.verdict] = (counts[r.verdict] || 0) + 1;
      total += q.points;
      got += r.verdict === "correct" ? r.credit * q.points : 0;
      self.show(self.blocks[n], q, r);
    });
    this.checked = true;
    this.store();
    var s = this.section.querySelector(".score");
    var parts = ["correct", "wrong", "invalid", "missing"].filter(function (v) { return counts[v]; }).map(function (v) {
      return counts[v] + " " + (v === "invalid" ? "not a number" : v === "missing" ? "unanswered" : v);
    });
    s.textContent = "Score: " + (+got.toFixed(4)) + " / " + (+total.toFixed(4)) + " points (" + parts.join(", ") + ").";
  };

  Exercise.prototype.show = function (block, q, r) {
    var el = block.querySelector("[data-verdict-for]");
    el.setAttribute("data-verdict", r.verdict);
    el.setAttribute("data-diagnosis", r.diagnosis || "");
    var text = r.shape ? DATA.verdicts.invalid_shape : DATA.verdicts[r.verdict];
    if (r.fixFirst) text = "wrong as it stands: it builds on your answer to " + r.fixFirst + ", which is not right yet. Fix " + r.fixFirst + " first.";
    el.querySelector(".vtext").textContent = text.charAt(0).toUpperCase() + text.slice(1);
    el.querySelector(".diag").textContent = r.diagnosis ? DATA.diagnoses[r.diagnosis] || r.diagnosis : "";
    var hint = "";
    if (r.verdict === "wrong" || r.verdict === "invalid") {
      var t = block.querySelector("template.hint");
      if (t) hint = "Hint: " + t.content.textContent;
    }
    el.querySelector(".hint").textContent = hint;
  };

  var sections = Array.prototype.slice.call(document.querySelectorAll("section[data-exercise]"));
  var exercises = sections.map(function (sec, i) { return new Exercise(sec, DATA.exercises[i]); });
  var current = 0;
  try { current = Math.min(sections.length - 1, Math.max(0, +window.localStorage.getItem(STORE + "at") || 0)); } catch (e) { current = 0; }

  function go(i, focus) {
    current = (i + sections.length) % sections.length;
    sections.forEach(function (s, n) { s.hidden = n !== current; });
    var where = document.querySelector(".where");
    if (where) where.textContent = "Exercise " + (current + 1) + " of " + sections.length;
    try { window.localStorage.setItem(STORE + "at", String(current)); } catch (e) { /* storage off */ }
    if (focus) sections[current].querySelector("h2").focus();
  }

  document.querySelectorAll("[data-action=next]").forEach(function (b) { b.addEventListener("click", function () { go(current + 1, true); }); });
  document.querySelectorAll("[data-action=prev]").forEach(function (b) { b.addEventListener("click", function () { go(current - 1, true); }); });
  go(current, false);
  window.exgenPage = {parseAnswer: parseAnswer, parseShape: parseShape, exercises: exercises, go: go};
})();
