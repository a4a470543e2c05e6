// The query page (/query): YASQE edits the query, YASR shows the results, both from the npm packages
// @zazuko/yasqe and @zazuko/yasr served by this server. Nothing here talks to any other host: prefix
// completion uses lodcat's own prefixes and the list bundled with YASQE, never prefix.cc or LOV.
(function () {
  "use strict";

  const page = document.getElementById("query-page");
  const endpoint = new URL(page.dataset.endpoint, document.baseURI).href;
  const base = page.dataset.base;
  const ownPrefixes = JSON.parse(page.dataset.prefixes);
  const chooser = document.getElementById("example");
  const status = document.getElementById("status");
  const truncated = document.getElementById("truncated");

  // The downloads ask /sparql again with the format in Accept, so a file is exactly what the endpoint
  // serves (SPARQL 1.1 CSV, SPARQL JSON), whatever the table shows.
  const DOWNLOADS = {
    solutions: [
      { label: "CSV", accept: "text/csv", suffix: "csv" },
      { label: "JSON", accept: "application/sparql-results+json", suffix: "json" },
    ],
    graph: [
      { label: "Turtle", accept: "text/turtle", suffix: "ttl" },
      { label: "JSON-LD", accept: "application/ld+json", suffix: "jsonld" },
    ],
  };

  // Prefix completion: lodcat's prefixes first, then YASQE's bundled list (prefixCcApi stays null).
  Yasqe.forkAutocompleter("prefixes", {
    name: "lodcat-prefixes",
    persistenceId: null,
    get: async function (yasqe) {
      const bundled = await Yasqe.Autocompleters.prefixes.get(yasqe);
      const own = Object.entries(ownPrefixes).map(([prefix, iri]) => `${prefix}: <${iri}>`);
      const taken = new Set(Object.keys(ownPrefixes).map((prefix) => `${prefix}:`));
      return own.concat(bundled.filter((line) => !taken.has(line.split(" ")[0])));
    },
  });

  const yasqe = new Yasqe(document.getElementById("editor"), {
    requestConfig: {
      endpoint: endpoint,
      method: "POST",
      acceptHeaderSelect: "application/sparql-results+json",
      acceptHeaderGraph: "text/turtle",
    },
    autocompleters: ["lodcat-prefixes", "variables"],
    persistenceId: "lodcat-query",
    editorHeight: "20rem",
    value: "PREFIX lodcat: <ontology#>\nPREFIX dcterms: <http://purl.org/dc/terms/>\n\n" +
      "SELECT ?project ?title WHERE {\n  ?project a lodcat:Project ; dcterms:title ?title .\n}\nORDER BY ?title\n",
  });

  // The results keep the query's prefixes, with relative ones (<ontology#>) resolved as the server does.
  function resultPrefixes() {
    const prefixes = Object.assign({}, ownPrefixes);
    for (const [prefix, iri] of Object.entries(yasqe.getPrefixesFromQuery())) {
      prefixes[prefix] = new URL(iri, base).href;
    }
    return prefixes;
  }

  const yasr = new Yasr(document.getElementById("results"), {
    persistenceId: null,
    prefixes: resultPrefixes,
    pluginOrder: ["table", "response"],
    defaultPlugin: "table",
  });

  function say(text) {
    status.textContent = text;
  }

  // An error from /sparql is application/problem+json (title, status, detail); anything else is text.
  function problem(text) {
    try {
      const parsed = JSON.parse(text);
      if (parsed && parsed.title) {
        return { status: parsed.status, title: parsed.title, detail: parsed.detail || "" };
      }
    } catch (error) {
      // not JSON: the text itself is the message
    }
    return { status: undefined, title: "The query failed", detail: text };
  }

  function problemText(text) {
    const { title, detail } = problem(text);
    return detail ? `${title}: ${detail}` : title;
  }

  // A result cut by LODCAT_MAX_RESULT_ROWS or _BYTES carries Lodcat-Result-Truncated: say so, never hide it.
  function showTruncation(headers, holder) {
    if (headers && headers.get("Lodcat-Result-Truncated") === "true") {
      const rows = headers.get("Lodcat-Result-Rows");
      const part = rows === "1" ? "the first row" : rows ? `the first ${rows} rows` : "part";
      truncated.textContent =
        `${holder} only ${part} of the result: the server's result limit cut it. ` +
        "Narrow the query (LIMIT, FILTER) to get all of it.";
      truncated.hidden = false;
    } else {
      truncated.hidden = true;
    }
  }

  yasqe.on("query", function () {
    say("Running the query…");
    truncated.hidden = true;
  });
  yasqe.on("queryResponse", function (instance, response, duration) {
    if (response instanceof Error) {
      const { status, title, detail } = problem(response.message);
      say("");
      yasr.setResponse({ error: { status: status, statusText: title, text: detail } }, duration);
      return;
    }
    say("");
    showTruncation(response.headers, "The table shows");
    yasr.setResponse(response, duration);
  });

  function fileStem() {
    return chooser.value || "query-results";
  }

  async function download(format) {
    say(`Preparing ${format.label}…`);
    const response = await fetch(endpoint, {
      method: "POST",
      headers: { Accept: format.accept, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ query: yasqe.getValue() }),
    });
    if (!response.ok) {
      say(problemText(await response.text()));
      return;
    }
    const link = document.createElement("a");
    link.href = URL.createObjectURL(await response.blob());
    link.download = `${fileStem()}.${format.suffix}`;
    showTruncation(response.headers, `${link.download} holds`);
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60000);
    say(`Downloaded ${link.download}`);
  }

  // SELECT and ASK give solutions (CSV, JSON); CONSTRUCT and DESCRIBE give a graph (Turtle, JSON-LD).
  let drawnKind = null;
  function drawDownloads() {
    const type = yasqe.getQueryType();
    const kind = type === "CONSTRUCT" || type === "DESCRIBE" ? "graph" : "solutions";
    if (kind === drawnKind) {
      return;
    }
    drawnKind = kind;
    const container = document.getElementById("downloads");
    container.replaceChildren();
    for (const format of DOWNLOADS[kind]) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "download";
      button.id = `download-${format.suffix}`;
      button.textContent = format.label;
      button.title = `Run the query and save the results as ${format.label} (${format.accept})`;
      button.dataset.accept = format.accept;
      button.addEventListener("click", () => download(format).catch((error) => say(String(error))));
      container.append(button);
    }
  }
  yasqe.on("change", drawDownloads);
  // Once the query is edited it is no longer the example: forget its name (file names, the URL).
  yasqe.on("change", function (instance, change) {
    if (chooser.value && change.origin !== "setValue") {
      chooser.value = "";
      const url = new URL(window.location.href);
      url.searchParams.delete("example");
      window.history.replaceState(null, "", url);
    }
  });
  drawDownloads();

  // The examples: docs/queries/*.rq, from /query/examples.json; ?example=NAME picks one on load.
  const examples = fetch(page.dataset.examples)
    .then((response) => response.json())
    .then((list) => new Map(list.map((example) => [example.name, example])));

  async function pick(name) {
    const example = (await examples).get(name);
    if (!example) {
      return;
    }
    chooser.value = name;
    yasqe.setValue(example.query);
    yasqe.collapsePrefixes(false);
    const url = new URL(window.location.href);
    url.searchParams.set("example", name);
    window.history.replaceState(null, "", url);
  }

  chooser.addEventListener("change", () => {
    if (chooser.value) {
      pick(chooser.value).catch((error) => say(String(error)));
    }
  });
  const wanted = new URL(window.location.href).searchParams.get("example");
  if (wanted) {
    pick(wanted).catch((error) => say(String(error)));
  }
  page.dataset.ready = "true";
})();
