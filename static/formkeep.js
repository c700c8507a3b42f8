/* A live update never resets a form someone is using.
 *
 * Fragments come down whole and replace the old ones (htmx out-of-band
 * swaps). A form inside such a fragment is rendered afresh: a select the
 * moderator had set falls back to its first option, a half-typed text is
 * gone, the caret and the focus leave. The next click then sends what the
 * server rendered, not what the person chose (the café host form removed
 * table 1's host that way).
 *
 * So every field a person touches is remembered under a key that survives a
 * re-render (the fragment's id, the form's hidden fields such as its command
 * type, the field's name), and after each swap the remembered values are put
 * back into the new fields, with the focus and the caret. A field is
 * forgotten when its form was sent and the server said yes (app.js calls
 * forget), so from then on the server's rendering wins again. A remembered
 * choice whose option no longer exists (the person left) is dropped and the
 * field is marked, so the change is visible instead of silent.
 *
 * Untouched fields always show the server's latest state.
 */
(function () {
  "use strict";
  var touched = {};   // field key -> {form: form key, value, values, checked}
  var focus = null;   // {key, start, end} of the focused field, read before each swap

  function isField(el) {
    if (!el || !el.matches || !el.matches("input, select, textarea")) return false;
    var type = (el.getAttribute("type") || "").toLowerCase();
    return type !== "hidden" && type !== "submit" && type !== "button" && type !== "file";
  }

  function boxOf(el) {
    var parent = el.parentElement;
    return parent && parent.closest ? parent.closest("[id]") : null;
  }

  function fragmentOf(el) {
    var box = boxOf(el);
    return box ? box.id : "";
  }

  // A form's identity: its id, or where it lives and what it sends (its hidden
  // fields: type, poll, board, table …), numbered among its look-alikes there.
  // The look-alikes are counted in the form's own fragment element, not in the
  // one the document now holds under that id: a form a live update has just
  // replaced (detached, still inside its old fragment) gets the key of its
  // successor, which is how static/hold.js finds where to send a held entry.
  function formKey(form) {
    if (form.id) return "#" + form.id;
    var fragment = fragmentOf(form);
    var signature = signatureOf(form);
    var box = boxOf(form) || (form.isConnected ? document : null);
    var index = 0;
    if (box) {
      var forms = box.querySelectorAll("form");
      for (var i = 0; i < forms.length && forms[i] !== form; i++) {
        if (fragmentOf(forms[i]) === fragment && signatureOf(forms[i]) === signature) index++;
      }
    }
    return fragment + "|" + signature + "|" + index;
  }

  function signatureOf(form) {
    return Array.prototype.map.call(
      form.querySelectorAll('input[type="hidden"]'),
      function (h) { return h.name + "=" + h.value; }
    ).join("&");
  }

  function fieldKey(el) {
    var form = el.form || (el.closest && el.closest("form"));
    var owner = form ? formKey(form) : fragmentOf(el);
    var type = (el.getAttribute("type") || "").toLowerCase();
    var name = el.name || el.id || "";
    if (type === "radio" || type === "checkbox") name += "=" + el.value;
    return { field: owner + "|" + (el.id ? "#" + el.id : name), form: owner };
  }

  function read(el) {
    if (el.type === "checkbox" || el.type === "radio") return { checked: el.checked };
    if (el.multiple) {
      return { values: Array.prototype.filter.call(el.options, function (o) { return o.selected; })
        .map(function (o) { return o.value; }) };
    }
    return { value: el.value };
  }

  function remember(evt) {
    var el = evt.target;
    if (!isField(el)) return;
    var key = fieldKey(el);
    var state = read(el);
    state.form = key.form;
    touched[key.field] = state;
    if (el.type === "radio" && el.checked && el.name) {
      // Choosing one radio un-chooses its siblings: remember them too.
      var scope = el.form || document;
      scope.querySelectorAll('input[type="radio"][name="' + el.name + '"]').forEach(function (other) {
        if (other !== el) touched[fieldKey(other).field] = { form: key.form, checked: false };
      });
    }
  }
  document.addEventListener("input", remember, true);
  document.addEventListener("change", remember, true);

  // What a person changed before this script ran (a slow phone, a busy laptop)
  // counts too: a field that no longer shows what the server rendered.
  function changedByHand(el) {
    if (el.type === "checkbox" || el.type === "radio") return el.checked !== el.defaultChecked;
    if (el.tagName === "SELECT") {
      return Array.prototype.some.call(el.options, function (o) { return o.selected !== o.defaultSelected; })
        && !(el.selectedIndex === 0 && !Array.prototype.some.call(el.options, function (o) { return o.defaultSelected; }));
    }
    return el.value !== el.defaultValue;
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (isField(el) && changedByHand(el)) remember({ target: el });
    });
  });

  function write(el, state) {
    if (state.checked !== undefined) { el.checked = state.checked; return true; }
    if (state.values !== undefined) {
      Array.prototype.forEach.call(el.options, function (o) { o.selected = state.values.indexOf(o.value) >= 0; });
      return true;
    }
    if (el.tagName === "SELECT") {
      var exists = Array.prototype.some.call(el.options, function (o) { return o.value === state.value; });
      if (!exists) return false;
    }
    if (el.value !== state.value) el.value = state.value;
    return true;
  }

  document.addEventListener("htmx:wsBeforeMessage", function () {
    var el = document.activeElement;
    focus = null;
    if (!isField(el)) return;
    focus = { key: fieldKey(el).field, start: null, end: null };
    try { focus.start = el.selectionStart; focus.end = el.selectionEnd; } catch (e) { /* no caret here */ }
  });

  function restore() {
    var keys = Object.keys(touched);
    if (!keys.length && !focus) return;
    var byKey = {};
    document.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (isField(el)) byKey[fieldKey(el).field] = el;
    });
    keys.forEach(function (key) {
      var el = byKey[key];
      if (!el) return;  // not on the page right now (a closed section): keep it for later
      if (write(el, touched[key])) {
        // The page's own helpers (counters, dots left, "changed" marks) follow.
        el.dispatchEvent(new Event("input", { bubbles: true }));
      } else {
        delete touched[key];
        el.classList.add("field-changed");  // the chosen option is gone: show it
      }
    });
    if (focus && (!document.activeElement || document.activeElement === document.body)) {
      var target = byKey[focus.key];
      if (target) {
        target.focus({ preventScroll: true });
        if (focus.start !== null) {
          try { target.setSelectionRange(focus.start, focus.end); } catch (e) { /* not a text field */ }
        }
      }
    }
    focus = null;
  }
  document.addEventListener("htmx:wsAfterMessage", restore);

  /** What a form's fields held when it was sent, by field key. */
  function snapshot(form) {
    var sent = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (isField(el)) sent[fieldKey(el).field] = JSON.stringify(read(el));
    });
    return sent;
  }

  /** Forget a form's remembered fields once the server accepted what it sent.
   *
   * Only fields that still hold what was sent: the ack may come after the
   * next live update, and by then the person may have begun the next entry,
   * which must stay remembered.
   */
  function forget(key, sent) {
    Object.keys(touched).forEach(function (k) {
      var state = touched[k];
      if (state.form !== key) return;
      if (sent) {
        if (sent[k] === undefined) return;  // not in the form when it was sent: typed since
        var now = {};
        ["value", "values", "checked"].forEach(function (p) { if (state[p] !== undefined) now[p] = state[p]; });
        if (JSON.stringify(now) !== sent[k]) return;
      }
      delete touched[k];
    });
  }

  /** The form on the page now in the place of ``form``: itself, or the one a live
   * update put there (same id, or same key; a replaced form keeps its key inside
   * its old fragment, see formKey), or null. What was sent from a form that was
   * replaced before the server answered is answered in its successor: the held
   * entry goes from it (hold.js), the accepted card empties it (ideas.js). */
  function current(form) {
    if (document.contains(form)) return form;
    if (form.id) return document.getElementById(form.id);
    var key = formKey(form);
    var forms = document.querySelectorAll("form");
    for (var i = 0; i < forms.length; i++) if (formKey(forms[i]) === key) return forms[i];
    return null;
  }

  window.dialograumFormKeep = {
    keyOf: function (form) { return formKey(form); },
    current: current,
    snapshot: snapshot,
    forget: forget
  };
})();
