"""lodcat's loader: project records -> RDF -> SHACL -> Oxigraph."""
