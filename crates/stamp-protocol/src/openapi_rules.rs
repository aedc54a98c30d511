//! Writes the rules of `rules.rs` into the OpenAPI document: every parameter and body
//! field the agent checks gets its pattern, length or range declared.

use utoipa::openapi::schema::{Schema, SchemaFormat};
use utoipa::openapi::{OpenApi, RefOr};
use utoipa::{Modify, Number};

use crate::rules::{Rule, FIELDS, PARAMETERS, SEQ};

pub(crate) struct DeclareRules;

fn apply(schema: &mut RefOr<Schema>, rule: Rule) {
    let RefOr::T(Schema::Object(object)) = schema else {
        return;
    };
    match rule {
        Rule::Text {
            pattern,
            min,
            max,
            uri,
        } => {
            object.pattern = Some(pattern.to_owned());
            object.min_length = Some(min);
            object.max_length = Some(max);
            if uri {
                object.format = Some(SchemaFormat::Custom("uri".to_owned()));
            }
        }
        Rule::Int { min, max } => {
            object.minimum = isize::try_from(min).ok().map(Number::Int);
            object.maximum = isize::try_from(max).ok().map(Number::Int);
        }
    }
}

fn is_integer(schema: &RefOr<Schema>) -> bool {
    matches!(schema, RefOr::T(Schema::Object(o))
        if o.schema_type == utoipa::openapi::schema::SchemaType::new(utoipa::openapi::Type::Integer))
}

impl Modify for DeclareRules {
    fn modify(&self, openapi: &mut OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                for parameter in operation.parameters.iter_mut().flatten() {
                    let Some(schema) = parameter.schema.as_mut() else {
                        continue;
                    };
                    if parameter.name == "after" && is_integer(schema) {
                        apply(schema, SEQ);
                    }
                    if let Some((_, rule)) = PARAMETERS.iter().find(|(n, _)| *n == parameter.name) {
                        apply(schema, *rule);
                    }
                }
            }
        }
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        for (schema_name, field, rule) in FIELDS {
            if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(*schema_name)
            {
                if let Some(property) = object.properties.get_mut(*field) {
                    apply(property, *rule);
                }
            }
        }
    }
}
