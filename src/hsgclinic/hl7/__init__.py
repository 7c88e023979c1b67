"""HL7 v2 over MLLP (docs/hl7.md): the ADT listener (``hsgclinic hl7 serve``) and the outbound messages the outbox
worker sends. An adapter: it reads and writes HL7 and calls the services; it decides nothing itself."""
