// consentkit.js: makes consentkit's server-rendered banner smooth. Everything works without it.
// Settings come from <script type="application/json" id="consentkit-config"> (CSP-safe: never run).
// No dependencies, no requests but to /consentkit/consent, nothing inline.
//
// This is the source. consentkit/static/consentkit.js is built from it by `make assets`
// (tools/build_assets.py), which only removes the comments: write them as whole lines
// starting with "//", or at the end of a line after "  // ".
(function () {
  "use strict";
  var d = document, w = window, config = d.getElementById("consentkit-config");
  if (!config || w.consentkit) return;
  config = JSON.parse(config.textContent);
  var state = config.state, listeners = [], dialog, opener;

  // Google Consent Mode v2: necessary maps to security_storage; config.gcm names, for each other
  // type, the category and the Google service (allowed alone) that grant it.
  function gtag() { (w.dataLayer = w.dataLayer || []).push(arguments); }
  function consentMode(command) {
    var types = { security_storage: "granted" };
    Object.keys(config.gcm).forEach(function (type) {
      types[type] = command == "update" && config.gcm[type].some(allows) ? "granted" : "denied";
    });
    gtag("consent", command, types);
  }
  // A category or a service (preset key such as "youtube").
  function allows(name) { return !!(state.categories[name] || state.services[name]); }
  function held(element, kind) { return allows(element.getAttribute("data-consentkit-" + kind)); }

  // Runs while the page is still parsing, so before any Google tag can.
  if (config.gcm) {
    consentMode("default");
    if (state.decided) consentMode("update");
  }

  function globToRegExp(glob) {
    return new RegExp("^" + glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".") + "$");
  }

  // Switch on what is allowed: embeds at once, scripts in document order, each external one
  // loaded before the next runs (so a snippet that needs gtag.js finds it).
  function activate() {
    var scripts = [];
    d.querySelectorAll("[data-consentkit-category],[data-consentkit-service]").forEach(function (element) {
      if (!held(element, "category") && !held(element, "service")) return;
      if (element.tagName == "SCRIPT") return scripts.push(element);
      ["src", "srcset", "srcdoc", "href", "poster", "data", "imagesrcset"].forEach(function (name) {
        var value = element.getAttribute("data-" + name);
        if (value != null) {
          element.setAttribute(name, value);
          element.removeAttribute("data-" + name);
        }
      });
      element.removeAttribute("data-consentkit-category");
      element.removeAttribute("data-consentkit-service");
    });
    d.querySelectorAll("[data-consentkit-placeholder]").forEach(function (element) {
      if (held(element, "placeholder")) element.remove();
    });
    // An {% else %} part stands between <!--consentkit-fallback NAME--> and <!--/consentkit-fallback-->
    // (comments are valid in <head> too): it goes, markers included, once its category or service is allowed.
    var walker = d.createTreeWalker(d, 128), node, start, doomed = [];
    while ((node = walker.nextNode())) {
      var opening = /^consentkit-fallback ([\w-]+)$/.exec(node.data);
      if (opening) start = allows(opening[1]) && node;
      else if (start && node.data == "/consentkit-fallback") {
        for (var sibling = start; sibling && sibling != node; sibling = sibling.nextSibling) doomed.push(sibling);
        doomed.push(node);
        start = null;
      }
    }
    doomed.forEach(function (gone) { gone.remove(); });
    (function next() {
      var inert = scripts.shift();
      if (!inert) return;
      var live = d.createElement("script");
      Array.prototype.forEach.call(inert.attributes, function (attribute) {
        if (!/^(type|nonce|data-consentkit-)/.test(attribute.name)) live.setAttribute(attribute.name, attribute.value);
      });
      if (inert.getAttribute("data-consentkit-type")) live.type = inert.getAttribute("data-consentkit-type");
      live.nonce = inert.nonce;  // browsers hide the nonce attribute; the property still has it
      live.text = inert.text;
      if (live.src) {
        live.async = false;
        live.onload = live.onerror = next;
        inert.replaceWith(live);
      } else {
        inert.replaceWith(live);
        next();
      }
    })();
  }

  // Delete first-party cookies and storage keys of every refused category, on each domain
  // a script may have used (gtag writes _ga on the top-most domain it can).
  function purge() {
    var labels = location.hostname.split("."), domains = [""];
    for (var i = 0; i < labels.length - 1; i++) domains.push(";domain=" + labels.slice(i).join("."));
    Object.keys(config.purge).forEach(function (category) {
      if (allows(category)) return;
      config.purge[category].map(globToRegExp).forEach(function (pattern) {
        d.cookie.split("; ").forEach(function (pair) {
          var name = pair.split("=")[0];
          if (pattern.test(name)) domains.forEach(function (domain) { d.cookie = name + "=;max-age=0;path=/" + domain; });
        });
        try {
          [localStorage, sessionStorage].forEach(function (storage) {
            for (var k = storage.length; k--;) if (pattern.test(storage.key(k))) storage.removeItem(storage.key(k));
          });
        } catch (blocked) {
          // Storage switched off in this browser: nothing to delete.
        }
      });
    });
  }

  // A withdrawn service is told to stop (GA's opt-out flag, Meta's and others' consent calls)
  // and its frames unloaded; services without such a switch keep their loaded script until the
  // next page, but lose their cookies and load nothing more.
  function stop(service) {
    var hooks = config.stop[service];
    (hooks.flags || []).forEach(function (flag) { w[flag] = true; });
    (hooks.calls || []).forEach(function (call) {
      var owner = w, target = w;
      call[0].split(".").forEach(function (name) { owner = target; target = target && target[name]; });
      try {
        if (typeof target == "function") target.apply(owner, call.slice(1));
      } catch (ignored) {
        // A third party's failure must not stop the withdrawal.
      }
    });
    d.querySelectorAll("iframe[src]").forEach(function (frame) {
      if ((hooks.frames || []).indexOf(new URL(frame.src).hostname) < 0) return;
      frame.setAttribute("data-src", frame.getAttribute("src"));
      frame.removeAttribute("src");
      frame.setAttribute("data-consentkit-service", service);
    });
  }

  // Keep the end of the page clear of the banner (or the floating link), so that every element
  // can scroll into view above it and focus never lands under it (WCAG 2.2 SC 2.4.11). Set
  // through the CSSOM, which a strict CSP allows, as a custom property the stylesheet uses.
  function reserve() {
    var banner = d.getElementById("consentkit-banner"), box = banner && !banner.hidden ? banner : d.querySelector(".consentkit-corner");
    var top = box && box.offsetHeight ? box.getBoundingClientRect().top : innerHeight;
    d.documentElement.style.setProperty("--ck-reserve", Math.ceil(innerHeight - top) + "px");
  }

  function apply(next) {
    var before = state;
    state = next;
    Object.keys(config.stop).forEach(function (service) {
      if (before.services[service] && !allows(service)) stop(service);
    });
    if (config.gcm) consentMode("update");
    d.querySelectorAll(".consentkit-form input[name]").forEach(function (box) {
      if (box.type == "checkbox") box.checked = allows(box.value);
    });
    // A service allowed from its placeholder leaves the banner's question open.
    var banner = d.getElementById("consentkit-banner");
    if (banner) banner.hidden = state.decided;
    if (dialog && dialog.open) dialog.close();
    purge();
    d.dispatchEvent(new CustomEvent("consentkit:change", { detail: get() }));
    listeners.forEach(function (listener) { listener(get()); });
    activate();
    return get();
  }

  function send(choice) {
    return fetch(config.base + "/consent", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(choice)
    }).then(function (response) {
      if (!response.ok) throw new Error("consentkit: " + response.status);
      return response.json();
    }).then(apply);
  }

  function get() { return JSON.parse(JSON.stringify(state)); }

  function open() {
    if (!dialog) return;
    opener = d.activeElement;
    dialog.showModal();
  }

  d.addEventListener("submit", function (event) {
    var form = event.target, button = event.submitter;
    if (!form.classList.contains("consentkit-form") || !button || button.name != "choice") return;
    event.preventDefault();
    var fields = new FormData(form);
    send({ choice: button.value, categories: fields.getAll("category"), services: fields.getAll("service"), locale: fields.get("locale") })
      .catch(function () {
        // The server still takes the plain form: send that instead.
        var choice = d.createElement("input");
        choice.type = "hidden";
        choice.name = "choice";
        choice.value = button.value;
        form.appendChild(choice);
        form.submit();
      });
  });

  // A category switch turns its services with it; a service turned off turns its category off.
  d.addEventListener("change", function (event) {
    var box = event.target, form = box.closest(".consentkit-form");
    if (!form) return;
    if (box.name == "category") {
      form.querySelectorAll("[data-consentkit-in=" + box.value + "]").forEach(function (service) { service.checked = box.checked; });
    } else if (box.name == "service" && !box.checked) {
      form.querySelector("[name=category][value=" + box.getAttribute("data-consentkit-in") + "]").checked = false;
    }
  });

  d.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target : event.target.parentElement;
    if (target.closest("[data-consentkit-open]") && dialog) {
      event.preventDefault();
      open();
    } else if (target.closest("[data-consentkit-close]")) {
      dialog.close();
    }
  });

  function start() {
    dialog = d.getElementById("consentkit-dialog");
    if (dialog) dialog.addEventListener("close", function () { if (opener) opener.focus(); });
    if (state.decided) purge();
    activate();
    var observer = w.ResizeObserver && new ResizeObserver(reserve);
    d.querySelectorAll("#consentkit-banner,.consentkit-corner").forEach(function (box) { observer ? observer.observe(box) : reserve(); });
    // Global Privacy Control without the Sec-GPC header (some browsers expose only the property).
    if (config.gpc && !state.decided && navigator.globalPrivacyControl) send({ choice: "gpc" });
  }

  w.consentkit = {
    get: get,
    set: function (categories) { return send({ choice: "custom", categories: categories }); },
    open: open,
    on: function (listener) { listeners.push(listener); }
  };
  if (d.readyState == "loading") d.addEventListener("DOMContentLoaded", start);
  else start();
})();
