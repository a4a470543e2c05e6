// One SPARQL query through Comunica's QueryEngine against a SPARQL endpoint; the answer as JSON on stdout.
//
//   node tests/clients/comunica.mjs ENDPOINT QUERY
//
// The endpoint is given as a source of type 'sparql', Comunica's documented way to query a SPARQL
// endpoint (https://comunica.dev/docs/query/advanced/source_types/): Comunica sends the query to it over
// the SPARQL 1.1 Protocol, as GET, or as a form POST when the URL would be 600 characters or longer.
//
// Output, one line:
//   SELECT               {"type": "bindings", "bindings": [{"variable": TERM, ...}, ...]}
//   ASK                  {"type": "boolean", "boolean": true}
//   CONSTRUCT, DESCRIBE  {"type": "quads", "quads": [{"subject": TERM, "predicate": TERM, "object": TERM}]}
// where TERM is {"termType", "value", "language", "datatype"} as in the RDF/JS data model.
import { QueryEngine } from '@comunica/query-sparql';

const [endpoint, query] = process.argv.slice(2);
if (!endpoint || !query) {
  process.stderr.write('usage: node tests/clients/comunica.mjs ENDPOINT QUERY\n');
  process.exit(2);
}

function term(value) {
  return {
    termType: value.termType,
    value: value.value,
    language: value.termType === 'Literal' ? value.language : null,
    datatype: value.termType === 'Literal' ? value.datatype.value : null,
  };
}

const engine = new QueryEngine();
const result = await engine.query(query, { sources: [{ type: 'sparql', value: endpoint }] });
let output;
if (result.resultType === 'bindings') {
  const bindings = await (await result.execute()).toArray();
  output = {
    type: 'bindings',
    bindings: bindings.map((binding) =>
      Object.fromEntries([...binding].map(([variable, value]) => [variable.value, term(value)])),
    ),
  };
} else if (result.resultType === 'boolean') {
  output = { type: 'boolean', boolean: await result.execute() };
} else if (result.resultType === 'quads') {
  const quads = await (await result.execute()).toArray();
  output = {
    type: 'quads',
    quads: quads.map((quad) => ({
      subject: term(quad.subject),
      predicate: term(quad.predicate),
      object: term(quad.object),
    })),
  };
} else {
  throw new Error(`Comunica returned a result of type ${result.resultType}; expected bindings, boolean or quads`);
}
process.stdout.write(`${JSON.stringify(output)}\n`);
