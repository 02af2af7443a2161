// hoquiz card script: grades typed answers on Anki cards the way `hoquiz quiz` does.
// A copy of hoquiz/study/matching.py and the numeric grading of hoquiz/study/grading.py;
// tests/test_card_script.py runs both over one table of cases. The word lists arrive as
// HOQUIZ_RULES (from matching.RULES). Anki reads this file inside a card template, so it
// never holds two braces in a row, which Anki would take for a field.
(function (root) {
  "use strict";
  if (root.hoquiz && root.hoquiz.version === HOQUIZ_VERSION) {
    return;
  }
  var RULES = HOQUIZ_RULES;
  var KEPT = "%<>=+";
  var SEPARATOR = /[\p{P}\p{S}\p{Z}]/u;
  var MARK = /\p{M}/u;

  function fold(text, lower) {
    var chars = Array.from((lower ? text.toLowerCase() : text).replace(/\u00df/g, "ss"));
    var out = [];
    Array.from(chars.join("").normalize("NFKD")).forEach(function (c) {
      if (MARK.test(c)) {
        return;
      }
      out.push(SEPARATOR.test(c) && KEPT.indexOf(c) < 0 ? " " : c);
    });
    return out.join("").split(/\s+/).filter(Boolean);
  }

  function normalize(text) {
    return fold(text, true).join(" ");
  }

  function foldPlural(word) {
    var n = Array.from(word).length;
    if (n > 4 && /ies$/.test(word)) {
      return word.slice(0, -3) + "y";
    }
    if (n > 4 && /(?:ss|ch|sh|x|z)es$/.test(word)) {
      return word.slice(0, -2);
    }
    if (n >= 3 && /s$/.test(word) && !/(?:ss|us|is)$/.test(word)) {
      return word.slice(0, -1);
    }
    return word;
  }

  function words(text) {
    return fold(text.replace(/['\u2019\u02bc`\u00b4]/g, ""), false).map(function (raw) {
      var lower = raw.toLowerCase();
      var digits = /\p{Nd}/u.test(raw);
      var letters = Array.from(raw).filter(function (c) {
        return /\p{L}/u.test(c);
      }).length;
      var code = letters >= 2 && raw === raw.toUpperCase() && raw !== lower;
      return { text: digits ? lower : foldPlural(lower), written: lower, digits: digits, code: code };
    });
  }

  function key(list) {
    if (list.length > 1 && RULES.leadingArticles.indexOf(list[0].text) >= 0) {
      list = list.slice(1);
    }
    var kept = list.filter(function (w) {
      return RULES.innerArticles.indexOf(w.text) < 0;
    });
    return kept.length ? kept : list;
  }

  function slipsAllowed(word) {
    var n = Array.from(word).length;
    for (var i = 0; i < RULES.slipLengths.length; i++) {
      if (n >= RULES.slipLengths[i][0]) {
        return RULES.slipLengths[i][1];
      }
    }
    return 0;
  }

  function opposed(a, b) {
    return RULES.opposedPrefixes.some(function (pair) {
      var x = pair[0];
      var y = pair[1];
      return (a.startsWith(x) && b.startsWith(y)) || (a.startsWith(y) && b.startsWith(x));
    });
  }

  // Optimal string alignment distance: insertions, deletions, substitutions and
  // swaps of neighbours, each counting one.
  function distance(s, t) {
    var a = Array.from(s);
    var b = Array.from(t);
    var d = [];
    for (var i = 0; i <= a.length; i++) {
      d.push([i]);
    }
    for (var j = 1; j <= b.length; j++) {
      d[0][j] = j;
    }
    for (i = 1; i <= a.length; i++) {
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var best = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
          best = Math.min(best, d[i - 2][j - 2] + 1);
        }
        d[i][j] = best;
      }
    }
    return d[a.length][b.length];
  }

  function texts(list) {
    return list.map(function (w) {
      return w.text;
    });
  }

  function compare(typed, accepted) {
    if (texts(typed).join(" ") === texts(accepted).join(" ")) {
      return "lenient";
    }
    if (typed.length !== accepted.length) {
      return texts(typed).join("") === texts(accepted).join("") ? "lenient" : null;
    }
    var kind = "lenient";
    for (var i = 0; i < typed.length; i++) {
      var t = typed[i];
      var a = accepted[i];
      if (t.text === a.text) {
        continue;
      }
      var loose = RULES.loosePrepositions;
      if (loose.indexOf(t.text) >= 0 && loose.indexOf(a.text) >= 0) {
        continue;
      }
      if (a.digits || a.code || t.digits || opposed(t.text, a.text)) {
        return null;
      }
      var limit = slipsAllowed(a.written);
      var slips = Math.min(distance(t.text, a.text), distance(t.written, a.written));
      if (limit === 0 || slips > limit) {
        return null;
      }
      kind = "spelling";
    }
    return kind;
  }

  // The accepted answer `typed` matches, and how: an object with kind and answer, or null.
  function matchAnswer(typed, accepted, exact) {
    var folded = normalize(typed);
    if (!folded) {
      return null;
    }
    for (var i = 0; i < accepted.length; i++) {
      if (normalize(accepted[i]) === folded) {
        return { kind: "exact", answer: accepted[i] };
      }
    }
    if (exact) {
      return null;
    }
    var typedKey = key(words(typed));
    var best = null;
    for (i = 0; i < accepted.length; i++) {
      var kind = compare(typedKey, key(words(accepted[i])));
      if (kind === "lenient") {
        return { kind: kind, answer: accepted[i] };
      }
      if (kind === "spelling" && best === null) {
        best = { kind: kind, answer: accepted[i] };
      }
    }
    return best;
  }

  // A cloze card: the deletions of its number, hidden together.
  function matchCloze(typed, answers, exact) {
    var whole = matchAnswer(typed, [answers.join(" ")], exact);
    var joined = answers.join("; ");
    if (whole || answers.length === 1) {
      return whole && { kind: whole.kind, answer: joined };
    }
    var parts = typed.split(/;|\.\.\.|\u2026/);
    if (parts.length !== answers.length) {
      return null;
    }
    var order = ["exact", "lenient", "spelling"];
    var worst = 0;
    for (var i = 0; i < parts.length; i++) {
      var m = matchAnswer(parts[i], [answers[i]], exact);
      if (!m) {
        return null;
      }
      worst = Math.max(worst, order.indexOf(m.kind));
    }
    return { kind: order[worst], answer: joined };
  }

  function formatNumber(value) {
    return String(value);
  }

  function unitKey(unit) {
    var folded = normalize(unit) || unit.trim().toLowerCase();
    for (var i = 0; i < RULES.unitAliases.length; i++) {
      var aliases = RULES.unitAliases[i];
      for (var j = 0; j < aliases.length; j++) {
        if (folded === (normalize(aliases[j]) || aliases[j].toLowerCase())) {
          return normalize(aliases[0]) || aliases[0].toLowerCase();
        }
      }
    }
    return folded;
  }

  var NUMBER = new RegExp(
    "^\\s*([+-]?(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:[.,]\\d+)?(?:[eE][+-]?\\d+)?" +
      "|[+-]?[.,]\\d+(?:[eE][+-]?\\d+)?)\\s*(.*?)\\s*$"
  );

  function parseNumber(text) {
    var m = NUMBER.exec(text);
    if (!m) {
      return null;
    }
    var raw = m[1];
    if (/^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(raw)) {
      raw = raw.replace(/,/g, "");
    } else {
      raw = raw.replace(/,/g, ".");
    }
    var value = Number(raw);
    if (!isFinite(value)) {
      return null;
    }
    return { value: value, unit: m[2] };
  }

  function acceptedRange(answer, tolerance, unit) {
    if (!tolerance) {
      return null;
    }
    var low = formatNumber(Number((answer - tolerance).toFixed(9)));
    var high = formatNumber(Number((answer + tolerance).toFixed(9)));
    return "accepted " + low + " to " + high + (unit ? " " + unit : "");
  }

  // A numeric answer: correct, given and detail, or a hint when it is not a number.
  function gradeNumeric(typed, answer, tolerance, unit) {
    var text = typed.trim();
    var parsed = text ? parseNumber(text) : null;
    if (!parsed) {
      return { hint: "type a number" + (unit ? ", optionally followed by " + unit : "") };
    }
    if (parsed.unit) {
      if (!unit) {
        return { hint: "type just a number (this answer has no unit)" };
      }
      if (unitKey(parsed.unit) !== unitKey(unit)) {
        return { hint: "give the number in " + unit + " (the unit is optional)" };
      }
    }
    var slack = 1e-9 * Math.max(1, Math.abs(answer));
    var ok = Math.abs(parsed.value - answer) <= tolerance + slack;
    var number = formatNumber(parsed.value);
    return {
      correct: ok,
      given: unit ? number + " " + unit : number,
      detail: acceptedRange(answer, tolerance, unit),
    };
  }

  // The verdict line the terminal quiz prints (without the easy/hard marks).
  function verdictLine(correct, given, kind, accepted, detail) {
    if (!correct) {
      return "Incorrect. You answered: " + given + (detail ? " (" + detail + ")" : "");
    }
    var notes = [];
    var head = "Correct";
    if (kind === "spelling") {
      head = "Correct, but check the spelling: " + accepted;
    } else if (kind === "lenient") {
      notes.push('accepted "' + accepted + '"; you typed "' + given + '"');
    }
    if (detail) {
      notes.push(detail);
    }
    var line = notes.length ? head + " (" + notes.join("; ") + ")" : head;
    return kind === "exact" || !kind ? line + "." : line;
  }

  // -- the card: what the front remembers, what the back shows -------------------

  var STORE = "hoquiz-answer";

  function remember(value) {
    root.hoquizAnswer = value;
    try {
      root.sessionStorage.setItem(STORE, JSON.stringify(value));
    } catch (e) {
      // Desktop previews may have no session storage: the global carries it.
    }
  }

  function recall(ref) {
    var value = root.hoquizAnswer;
    try {
      var stored = root.sessionStorage.getItem(STORE);
      if (stored) {
        value = JSON.parse(stored);
      }
    } catch (e) {
      // Keep the global.
    }
    return value && value.ref === ref ? value : null;
  }

  function flip() {
    if (typeof root.pycmd === "function") {
      root.pycmd("ans"); // Anki desktop
    } else if (typeof root.showAnswer === "function") {
      root.showAnswer(); // AnkiDroid
    } else if (root.document.activeElement) {
      root.document.activeElement.blur(); // AnkiMobile: close the keyboard
    }
  }

  function letters(card) {
    return Array.prototype.slice.call(card.querySelectorAll("ol.options > li"));
  }

  function front(card) {
    var ref = card.getAttribute("data-ref");
    var kind = card.getAttribute("data-kind");
    remember({ ref: ref, typed: "", chosen: [] });
    var input = card.querySelector("input.hoquiz-typed");
    if (input) {
      input.hidden = false;
      input.addEventListener("input", function () {
        remember({ ref: ref, typed: input.value, chosen: [] });
      });
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          event.preventDefault();
          flip();
        }
      });
      if (!("ontouchstart" in root)) {
        input.focus();
      }
    }
    var options = letters(card);
    var buttons = Array.prototype.slice.call(card.querySelectorAll("button.hoquiz-tf"));
    var choices = options.length ? options : buttons;
    buttons.forEach(function (button) {
      button.hidden = false;
    });
    choices.forEach(function (choice) {
      choice.setAttribute("role", kind === "multi" ? "checkbox" : "radio");
      choice.setAttribute("tabindex", "0");
      choice.addEventListener("click", function () {
        if (kind !== "multi") {
          choices.forEach(function (other) {
            other.classList.remove("chosen");
          });
        }
        choice.classList.toggle("chosen");
        var chosen = [];
        choices.forEach(function (c, i) {
          if (c.classList.contains("chosen")) {
            chosen.push(i);
          }
        });
        remember({ ref: ref, typed: "", chosen: chosen });
        choice.setAttribute("aria-checked", String(choice.classList.contains("chosen")));
      });
    });
  }

  function show(card, correct, line) {
    var verdict = card.querySelector(".hoquiz-verdict");
    if (!verdict) {
      return;
    }
    verdict.textContent = line;
    verdict.className = "hoquiz-verdict " + (correct ? "right" : "wrong");
    verdict.hidden = false;
  }

  function textOf(nodes) {
    return Array.prototype.map.call(nodes, function (n) {
      return n.textContent.trim();
    });
  }

  function back(card) {
    var ref = card.getAttribute("data-ref");
    var kind = card.getAttribute("data-kind");
    var answer = recall(ref);
    var exact = !!card.querySelector('[data-match="exact"]');
    if (kind === "short" || kind === "cloze") {
      if (!answer || !normalize(answer.typed)) {
        return;
      }
      var m;
      if (kind === "short") {
        m = matchAnswer(answer.typed, textOf(card.querySelectorAll(".hoquiz-accept .accepted")), exact);
      } else {
        m = matchCloze(answer.typed, textOf(card.querySelectorAll(".prompt .cloze")), exact);
      }
      show(card, !!m, verdictLine(!!m, answer.typed, m && m.kind, m && m.answer, null));
    } else if (kind === "numeric") {
      if (!answer || !answer.typed.trim()) {
        return;
      }
      var spec = card.querySelector(".hoquiz-number");
      var unit = spec.getAttribute("data-unit") || null;
      var g = gradeNumeric(
        answer.typed,
        Number(spec.getAttribute("data-answer")),
        Number(spec.getAttribute("data-tolerance")),
        unit
      );
      if (g.hint) {
        show(card, false, "Not a number: " + g.hint + ' (you typed "' + answer.typed + '")');
      } else {
        show(card, g.correct, verdictLine(g.correct, g.given, "exact", null, g.detail));
      }
    } else {
      markChoices(card, kind, answer);
    }
  }

  function markChoices(card, kind, answer) {
    var options = letters(card);
    var buttons = Array.prototype.slice.call(card.querySelectorAll("button.hoquiz-tf"));
    var choices = options.length ? options : buttons;
    var keys = [];
    var key = card.querySelector(".key");
    buttons.forEach(function (button) {
      button.hidden = false;
      if (key && button.textContent.trim() === key.textContent.trim()) {
        button.classList.add("is-key");
      }
    });
    choices.forEach(function (choice, i) {
      if (choice.classList.contains("is-key")) {
        keys.push(i);
      }
    });
    var chosen = answer ? answer.chosen : [];
    choices.forEach(function (choice, i) {
      choice.classList.toggle("chosen", chosen.indexOf(i) >= 0);
    });
    if (!chosen.length) {
      return;
    }
    var right = keys.filter(function (k) {
      return chosen.indexOf(k) >= 0;
    }).length;
    var wrong = chosen.length - right;
    var correct = right === keys.length && wrong === 0;
    var given = chosen
      .map(function (i) {
        var label = choices[i].textContent.trim();
        return kind === "multi" ? label.split(")")[0] : label;
      })
      .join(" ");
    var detail = null;
    if (!correct && kind === "multi") {
      detail = right + " of " + keys.length + " right choice" + (keys.length === 1 ? "" : "s");
      if (wrong) {
        detail += ", " + wrong + " wrong";
      }
    }
    show(card, correct, verdictLine(correct, given, "exact", null, detail));
  }

  // Called by each side's template. The back of a choice card repeats the front
  // (Anki's FrontSide field), whose call must then leave the remembered answer alone.
  function side(which) {
    var doc = root.document;
    var backCard = doc.querySelector(".hoquiz-back");
    if (which === "back" && backCard) {
      back(backCard);
    } else if (which === "front" && !backCard) {
      var card = doc.querySelector(".hoquiz-card");
      if (card) {
        front(card);
      }
    }
  }

  root.hoquiz = {
    side: side,
    version: HOQUIZ_VERSION,
    normalize: normalize,
    matchAnswer: matchAnswer,
    matchCloze: matchCloze,
    gradeNumeric: gradeNumeric,
    verdictLine: verdictLine,
    front: front,
    back: back,
  };
})(typeof window !== "undefined" ? window : globalThis);
