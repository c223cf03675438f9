/// The OpenAPI 3.1 document of `jump-producer serve`, served at `/openapi.json`: `Schemas/http-api.openapi.json`,
/// word for word (a test holds them equal; edit the file and paste it here).
enum PublishAPIDocument {
    /// The document's text.
    static let json = #"""
        {
          "openapi": "3.1.0",
          "info": {
            "title": "jump-relay events over HTTP",
            "version": "1.0.0",
            "description": "jump-producer serve: JUMP partnership events in the CloudEvents HTTP protocol binding (structured, binary and batch modes), validated against Schemas/event.schema.json, keyed by subject and answered only after Kafka acknowledged every event of the request. An event reported failed may still have arrived; sending it again with the same id is harmless (the state worker applies an id once within its ledger window)."
          },
          "servers": [{"url": "http://127.0.0.1:8642"}],
          "security": [{"bearer": []}],
          "paths": {
            "/events": {
              "post": {
                "operationId": "publishEvents",
                "summary": "Publish one event (structured or binary mode) or a batch of at most 1,000 events (4 MiB).",
                "parameters": [
                  {"name": "ce-specversion", "in": "header", "required": false, "schema": {"type": "string", "const": "1.0"}, "description": "Binary mode: present with the other ce-* attribute headers (ce-id, ce-source, ce-type, ce-subject, ce-time, ce-dataschema); the body is the event's data."}
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/cloudevents+json": {"schema": {"$ref": "#/components/schemas/Event"}},
                    "application/cloudevents-batch+json": {"schema": {"type": "array", "maxItems": 1000, "items": {"$ref": "#/components/schemas/Event"}}},
                    "application/json": {"schema": {"type": "object", "description": "Binary mode: the event's data; its attributes are ce-* headers."}}
                  }
                },
                "responses": {
                  "200": {"description": "Every event was acknowledged by Kafka.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Accepted"}}}},
                  "400": {"description": "An event is not valid, or a batch cannot be read; nothing was sent.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
                  "401": {"description": "No token, or one this server does not know.", "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}}, "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
                  "403": {"description": "The token may not publish an event's source or type; nothing was sent.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
                  "408": {"description": "The body did not arrive within the request's deadline.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
                  "413": {"description": "Over the size limit: 64 KiB per event in the single modes, 4 MiB and 1,000 events per batch.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
                  "415": {"description": "Not one of the accepted media types.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
                  "429": {"description": "Past the token's rate; nothing was sent.", "headers": {"Retry-After": {"schema": {"type": "integer"}}}, "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
                  "503": {"description": "Kafka did not acknowledge every event within the deadline, or the server is shutting down; the events listed as failed may still arrive.", "headers": {"Retry-After": {"schema": {"type": "integer"}}}, "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
                }
              }
            },
            "/healthz": {"get": {"operationId": "liveness", "security": [], "responses": {"200": {"description": "The process serves.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}}}}},
            "/readyz": {"get": {"operationId": "readiness", "security": [], "responses": {
              "200": {"description": "Kafka answers and the topic exists.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}},
              "503": {"description": "Not ready, with the reasons.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}}}}},
            "/metrics": {"get": {"operationId": "metrics", "security": [], "responses": {"200": {"description": "Prometheus text exposition.", "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
            "/openapi.json": {"get": {"operationId": "openAPIDocument", "security": [], "responses": {"200": {"description": "This document.", "content": {"application/json": {"schema": {"type": "object"}}}}}}}
          },
          "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "A token from the server's tokens file (which holds only its SHA-256)."}},
            "schemas": {
              "Event": {
                "type": "object",
                "description": "A JUMP event as a structured CloudEvent (Schemas/event.schema.json); absent id, time and source are filled in.",
                "required": ["specversion", "type", "subject", "data"],
                "properties": {
                  "specversion": {"const": "1.0"},
                  "id": {"type": "string", "minLength": 1, "maxLength": 128},
                  "source": {"type": "string", "minLength": 1, "maxLength": 256},
                  "type": {"type": "string", "pattern": "^jump\\."},
                  "subject": {"type": "string"},
                  "time": {"type": "string", "format": "date-time"},
                  "datacontenttype": {"const": "application/json"},
                  "dataschema": {"type": "string"},
                  "data": {"type": "object"}
                }
              },
              "Placement": {
                "type": "object",
                "required": ["id", "status"],
                "properties": {
                  "id": {"type": "string"},
                  "status": {"enum": ["accepted", "failed"]},
                  "topic": {"type": "string"},
                  "partition": {"type": "integer"},
                  "offset": {"type": "integer"},
                  "detail": {"type": "string"}
                }
              },
              "Accepted": {
                "type": "object",
                "required": ["accepted", "events"],
                "properties": {
                  "accepted": {"type": "integer"},
                  "events": {"type": "array", "items": {"$ref": "#/components/schemas/Placement"}}
                }
              },
              "Problem": {
                "type": "object",
                "description": "RFC 9457 problem details; type is urn:jump:problem:SLUG.",
                "required": ["type", "title", "status", "detail"],
                "properties": {
                  "type": {"type": "string"},
                  "title": {"type": "string"},
                  "status": {"type": "integer"},
                  "detail": {"type": "string"},
                  "errors": {"type": "array", "items": {"type": "object", "required": ["index", "pointer", "rule", "detail"], "properties": {"index": {"type": "integer"}, "pointer": {"type": "string"}, "rule": {"type": "string"}, "detail": {"type": "string"}}}},
                  "accepted": {"type": "integer"},
                  "events": {"type": "array", "items": {"$ref": "#/components/schemas/Placement"}}
                }
              },
              "Health": {
                "type": "object",
                "required": ["status"],
                "properties": {"status": {"enum": ["ok", "failing"]}, "reasons": {"type": "array", "items": {"type": "string"}}}
              }
            }
          }
        }
        """#
}
