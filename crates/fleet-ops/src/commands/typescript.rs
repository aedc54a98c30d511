//! The files generated from the command list: the TypeScript client the UI calls
//! through, the window's capability file (each command's `allow-` permission, nothing
//! else), and the command names the window's build script registers.

use super::{command_specs, CommandSpec};

/// `snake_case` to `camelCase`, as Tauri and serde name arguments on the JS side.
pub fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The named types a TypeScript type expression refers to (for the import line).
fn named_types(ts: &str, into: &mut std::collections::BTreeSet<String>) {
    for word in ts.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
        if word.starts_with(|c: char| c.is_ascii_uppercase()) && word != "Array" {
            into.insert(word.to_owned());
        }
    }
}

fn doc_comment(spec: &CommandSpec, indent: &str) -> String {
    if spec.doc.is_empty() {
        return String::new();
    }
    if let [line] = spec.doc.as_slice() {
        return format!("{indent}/**{} */\n", line.trim_end());
    }
    let mut out = format!("{indent}/**\n");
    for line in &spec.doc {
        out.push_str(&format!("{indent} *{}\n", line.trim_end()));
    }
    out.push_str(&format!("{indent} */\n"));
    out
}

fn method(spec: &CommandSpec) -> String {
    let mut params: Vec<String> = spec
        .args
        .iter()
        .map(|(name, ty)| format!("{}: {ty}", camel(name)))
        .collect();
    if let Some(event) = &spec.progress {
        params.push(format!("onProgress: (event: {event}) => void"));
    }
    let args: Vec<String> = spec.args.iter().map(|(name, _)| camel(name)).collect();
    let progress = if spec.progress.is_some() {
        ", onProgress"
    } else {
        ""
    };
    let args = if args.is_empty() {
        "{}".to_owned()
    } else {
        format!("{{ {} }}", args.join(", "))
    };
    // A command that answers nothing answers JSON null: `void` to its callers.
    let result = if spec.result == "null" {
        "void"
    } else {
        &spec.result
    };
    format!(
        "{doc}    {method}: ({params}): Promise<{result}> =>\n      transport.call(\"{name}\", {args}{progress}) as Promise<{result}>,\n",
        doc = doc_comment(spec, "    "),
        method = camel(spec.name),
        params = params.join(", "),
        name = spec.name,
    )
}

/// `ui/src/generated/commands.ts`.
pub fn typescript_client() -> String {
    let specs = command_specs();
    let mut types = std::collections::BTreeSet::new();
    for spec in &specs {
        for (_, ty) in &spec.args {
            named_types(ty, &mut types);
        }
        named_types(&spec.result, &mut types);
        types.insert("ErrorCode".to_owned());
        if let Some(p) = &spec.progress {
            named_types(p, &mut types);
        }
    }
    let mut out = String::from(
        "// Generated from fleet-ops' command list (crates/fleet-ops/src/commands/list.rs); do not edit.\n\
         // Regenerate: STAMPFLEET_WRITE_GENERATED=1 cargo test -p fleet-ops --test generated\n",
    );
    out.push_str(&format!(
        "import type {{\n{}}} from \"./bindings\";\n\n",
        types
            .iter()
            .map(|t| format!("  {t},\n"))
            .collect::<String>()
    ));
    out.push_str(
        "/** How a call reaches the backend: Tauri's IPC in the window, HTTP from a browser. */\n\
         export interface Transport {\n  \
         call(command: string, args: Record<string, unknown>, onEvent?: (event: never) => void): Promise<unknown>;\n\
         }\n\n",
    );
    let codes: Vec<String> = crate::ErrorCode::ALL
        .iter()
        .map(|c| serde_json::to_string(c).unwrap_or_default())
        .collect();
    out.push_str(&format!(
        "/** Every error code a command can answer with (`{{code, message}}`). */\nexport const ERROR_CODES: readonly ErrorCode[] = [{}];\n\n",
        codes.join(", ")
    ));
    out.push_str("/** Every command's name, as the backend registers it. */\nexport const COMMAND_NAMES = [\n");
    for spec in &specs {
        out.push_str(&format!("  \"{}\",\n", spec.name));
    }
    out.push_str("] as const;\n\n/** The typed client: one method per command. */\nexport function commandsOver(transport: Transport) {\n  return {\n");
    for spec in &specs {
        out.push_str(&method(spec));
    }
    out.push_str("  };\n}\n\n/** Everything the UI asks of the Stampfleet backend. */\nexport type Backend = ReturnType<typeof commandsOver>;\n");
    out
}

/// `src-tauri/capabilities/default.json`.
pub fn capability_file() -> String {
    let permissions: Vec<String> = command_specs()
        .iter()
        .map(|s| format!("    \"allow-{}\"", s.name.replace('_', "-")))
        .collect();
    format!(
        "{{\n  \"$schema\": \"../gen/schemas/desktop-schema.json\",\n  \"identifier\": \"default\",\n  \
         \"description\": \"The main window may call Stampfleet's own commands and nothing else (generated from fleet-ops' command list).\",\n  \
         \"windows\": [\"main\"],\n  \"permissions\": [\n{}\n  ]\n}}\n",
        permissions.join(",\n")
    )
}

/// `src-tauri/commands.txt`: the names `build.rs` gives an `allow-` permission each.
pub fn command_names_file() -> String {
    let mut out =
        String::from("# Generated from fleet-ops' command list; do not edit. Read by build.rs.\n");
    for spec in command_specs() {
        out.push_str(spec.name);
        out.push('\n');
    }
    out
}
