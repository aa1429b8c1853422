// consentkit.js: makes consentkit's server-rendered banner smooth. Everything works without it.
// Settings come from <script type="application/json" id="consentkit-config"> (CSP-safe: never run).
// No dependencies, no requests but to /consentkit/consent, nothing inline. What only some sites
// need comes in scripts of their own, loaded right after this one where the config asks for them:
// consentkit-services.js (a site with third-party services) and consentkit-gcm.js (Google Consent Mode).
//
// This is the source: `make assets` (tools/build_assets.py) minifies it into consentkit/static/.
// It is written for the browsers that have <dialog>, `event.submitter`, `requestSubmit` and
// `structuredClone` (Safari 16, Chrome 98, Firefox 98 and later), which the banner needs anyway.
(function () {
  var d = document, w = window, config = d.getElementById("consentkit-config");
  if (!config || w.consentkit) return;
  config = JSON.parse(config.textContent);
  var state = config.state, listeners = [], hooks = [], dialog, opener;

  // A category or a service (preset key such as "youtube").
  function allows(name) { return !!(state.categories[name] || state.services[name]); }
  function held(element, kind) { return allows(element.getAttribute("data-consentkit-" + kind)); }

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
    var walker = d.createTreeWalker(d, 128), node, openings = [];
    while ((node = walker.nextNode())) {
      var opening = /^consentkit-fallback ([\w-]+)$/.exec(node.data);
      if (opening && allows(opening[1])) openings.push(node);
    }
    openings.forEach(function (node) {
      while (node) {
        var next = node.nextSibling;
        node.remove();
        node = node.data != "/consentkit-fallback" && next;
      }
    });
    (function next() {
      var inert = scripts.shift();
      if (!inert) return;
      var live = d.createElement("script");
      for (var attribute of inert.attributes) {
        if (!/^(type|nonce|data-consentkit-)/.test(attribute.name)) live.setAttribute(attribute.name, attribute.value);
      }
      live.type = inert.getAttribute("data-consentkit-type") || "";  // such as "module"
      live.nonce = inert.nonce;  // browsers hide the nonce attribute; the property still has it
      live.text = inert.text;
      inert.replaceWith(live);
      // One at a time: an external script loads (or fails) before the next one is added.
      if (live.src) live.onload = live.onerror = next;
      else next();
    })();
  }

  // Delete first-party cookies and storage keys of every refused category or service, on each
  // domain a script may have used (gtag writes _ga on the top-most domain it can). config.purge
  // holds, for each, a regular expression of its names.
  function purge() {
    var labels = location.hostname.split("."), domains = [""];
    for (var i = 0; i < labels.length - 1; i++) domains.push(";domain=" + labels.slice(i).join("."));
    Object.keys(config.purge).forEach(function (key) {
      if (allows(key)) return;
      var pattern = new RegExp(config.purge[key]);
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
  }

  // Keep the end of the page clear of the banner (or the floating link), so that every element
  // can scroll into view above it and focus never lands under it (WCAG 2.2 SC 2.4.11). Set
  // through the CSSOM, which a strict CSP allows, as a custom property the stylesheet uses.
  function reserve() {
    var banner = d.getElementById("consentkit-banner"), box = banner && !banner.hidden ? banner : d.querySelector(".consentkit-corner");
    var top = box && box.offsetHeight ? box.getBoundingClientRect().top : innerHeight;
    d.documentElement.style.setProperty("--ck-reserve", Math.ceil(innerHeight - top) + "px");
  }

  // consentkit's own optional scripts (consentkit-services.js, consentkit-gcm.js) hear of a change
  // first, with the state before it; the site's listeners last, before what is allowed starts.
  function apply(next) {
    var before = state;
    state = next;
    hooks.forEach(function (hook) { hook(state, before); });
    d.querySelectorAll(".consentkit-form [type=checkbox][name]").forEach(function (box) { box.checked = allows(box.value); });
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
      method: "POST",  // same-origin credentials are fetch's default
      headers: { "Content-Type": "application/json" },  // which the endpoint answers in JSON
      body: JSON.stringify(choice)
    }).then(function (response) {
      if (!response.ok) throw new Error("consentkit: " + response.status);
      return response.json();
    }).then(apply);
  }

  function get() { return structuredClone(state); }

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
        // The server still takes the plain form: send that instead, past this listener.
        form.classList.remove("consentkit-form");
        form.requestSubmit(button);
      });
  });

  // (The dialog's close button needs nothing: it submits a <form method="dialog">.)
  d.addEventListener("click", function (event) {
    if (event.target.closest("[data-consentkit-open]") && dialog) {
      event.preventDefault();
      open();
    }
  });

  function start() {
    dialog = d.getElementById("consentkit-dialog");
    if (dialog) dialog.addEventListener("close", function () { if (opener) opener.focus(); });
    if (state.decided) purge();
    activate();
    var observer = new ResizeObserver(reserve);
    d.querySelectorAll("#consentkit-banner,.consentkit-corner").forEach(function (box) { observer.observe(box); });
    // Global Privacy Control without the Sec-GPC header (some browsers expose only the property).
    if (config.gpc && !state.decided && navigator.globalPrivacyControl) send({ choice: "gpc" });
  }

  w.consentkit = {
    get: get,
    set: function (categories) { return send({ choice: "custom", categories: categories }); },
    open: open,
    on: function (listener) { listeners.push(listener); },
    // For consentkit's own optional scripts: hook(state, before), called before anything changes
    // (neither state may be changed).
    hook: function (hook) { hooks.push(hook); }
  };
  if (d.readyState == "loading") d.addEventListener("DOMContentLoaded", start);
  else start();
})();
