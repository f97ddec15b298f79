"""Events and claims: the ontology, attribution of claims, and event extraction."""

from storyline.events.attribution import find_claims
from storyline.events.extract import find_events
from storyline.events.ontology import Ontology, OntologyError, ontology

__all__ = ["Ontology", "OntologyError", "find_claims", "find_events", "ontology"]
