"""lodcat's HTTP surface: SPARQL, REST, linked data, built by create_app()."""
