// Small behaviours that templates declare with data- attributes, so that no template needs
// inline handlers, hx-on or hx-vals="js:…": the Content Security Policy allows neither
// 'unsafe-inline' nor 'unsafe-eval' (docs/security.md), and htmx runs with allowEval=false.
(function () {
  "use strict";

  // <form data-reset-on-success data-focus="input[name=message]">: after a successful htmx
  // request the form is cleared and the field focused again (the assistant chat box).
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-reset-on-success")) {
      return;
    }
    if (!event.detail.successful) {
      return;
    }
    form.reset();
    var focus = form.getAttribute("data-focus");
    var field = focus ? form.querySelector(focus) : null;
    if (field) {
      field.focus();
    }
  });

  // <input data-autosubmit>: submit the field's form when its value changes (situation answers).
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field instanceof Element && field.hasAttribute("data-autosubmit") && field.form) {
      if (typeof field.form.requestSubmit === "function") {
        field.form.requestSubmit();
      } else {
        field.form.submit();
      }
    }
  });

  // <div hx-post=… data-param-rule="#id_eligibility">: send that element's value as the "rule"
  // parameter (what hx-vals='js:{rule: …}' did, without eval).
  document.addEventListener("htmx:configRequest", function (event) {
    var source = event.detail.elt;
    if (!(source instanceof Element)) {
      return;
    }
    Array.prototype.forEach.call(source.attributes, function (attr) {
      if (attr.name.indexOf("data-param-") !== 0) {
        return;
      }
      var from = document.querySelector(attr.value);
      if (from) {
        event.detail.parameters[attr.name.slice("data-param-".length)] = from.value;
      }
    });
  });
})();
