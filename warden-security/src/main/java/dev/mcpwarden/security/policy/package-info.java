/**
 * Authorization policies: rules over the caller, the target and the call's arguments, written in
 * <a href="https://cel.dev">CEL</a>, compiled once when loaded ({@link dev.mcpwarden.security.policy.PolicySet}) and
 * decided on every request ({@link dev.mcpwarden.security.policy.Decision}).
 *
 * <h2>A policy file</h2>
 * <pre>{@code
 * version: 1                      # optional
 * rules:
 *   - id: admins
 *     effect: allow
 *     when: "'admin' in principal.roles"          # every target (no 'targets')
 *   - id: reports-readers
 *     effect: allow
 *     targets: ["resource:file:///reports/*", "tool:report_*"]
 *     when: "'reports:read' in principal.scopes"
 *   - id: same-tenant
 *     effect: allow
 *     targets: "tool:invoice_*"
 *     when: "has(args.tenant) && args.tenant == principal.tenant"
 *   - id: no-deletes-for-contractors
 *     effect: deny
 *     targets: ["tool:delete_*", "tool:drop_*"]
 *     when: "principal.claims.employment == 'contractor'"
 *     description: Contractors never delete, whatever else allows it.
 * }</pre>
 * The same document may be written in JSON ({@code .json}). Loading is strict: unknown fields, duplicate keys or ids,
 * empty selectors, conditions that do not parse, use an undeclared variable or field, or are not {@code bool}, and
 * conditions over 4 KiB are all errors, reported together with the rule's index, id and position. A policy is never
 * loaded half-way.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>{@code id} (required): unique; letters, digits and {@code . _ - : /}. {@code default-deny} is reserved.</li>
 *   <li>{@code effect} (required): {@code allow} or {@code deny}.</li>
 *   <li>{@code targets}: a selector or a list of selectors, {@code KIND:PATTERN} with kind {@code tool},
 *       {@code prompt}, {@code resource}, {@code resource_template} or {@code *}; in the pattern {@code *} matches
 *       any characters (including {@code /}), everything else matches itself, case-sensitively. {@code *} alone
 *       selects everything; leaving {@code targets} out does too.</li>
 *   <li>{@code when} (required): a CEL condition of type {@code bool}; {@code "true"} for always.</li>
 *   <li>{@code description}: free text.</li>
 * </ul>
 *
 * <h2>Variables</h2>
 * <ul>
 *   <li>{@code principal}: {@code iss}, {@code sub}, {@code client_id} and {@code tenant} (strings; an absent
 *       client or tenant is {@code ""}), {@code roles} and {@code scopes} ({@code list<string>}, unordered),
 *       {@code claims} ({@code map<string, dyn>}: the token's other claims, dates as epoch seconds).</li>
 *   <li>{@code target}: {@code kind} ({@code "tool"}, {@code "prompt"}, {@code "resource"},
 *       {@code "resource_template"}) and {@code name} (the tool or prompt name, or the resource URI).</li>
 *   <li>{@code args}: {@code map<string, dyn>}, the request's arguments as JSON values (integers are {@code int},
 *       other numbers {@code double}, {@code null} is {@code null}); an empty map when there are none.</li>
 *   <li>{@code method}: the JSON-RPC method, e.g. {@code "tools/call"}.</li>
 * </ul>
 * The standard CEL library and macros are available ({@code in}, {@code has()}, {@code exists}, {@code all},
 * {@code startsWith}, {@code matches}, {@code size}...), with the {@code strings} extension ({@code lowerAscii},
 * {@code split}, ...) and the {@code sets} extension ({@code sets.intersects(principal.roles, ['a', 'b'])}). Numbers
 * of different types compare as numbers ({@code args.limit > 10} holds for 12.5).
 *
 * <h2>Decisions</h2>
 * Deny overrides allow; whatever no rule allows is denied by the implicit rule {@code default-deny}; a rule that
 * cannot be evaluated (a missing key read without {@code has()}, a wrong type, an overflow, a non-bool result)
 * denies, unless it is an allow rule and another allow rule holds. Read an argument that may be absent with
 * {@code has(args.x) && ...}. Evaluation is bounded: at most 10,000 comprehension iterations per decision, nesting
 * depth 32, bounded regular expressions. {@link dev.mcpwarden.security.policy.PolicySet#decideVisibility} decides
 * whether lists show a target, without arguments; see {@link dev.mcpwarden.security.policy.PolicySet} for the
 * exact rules. A {@link dev.mcpwarden.security.policy.Decision}'s reason is for the audit log only.
 */
package dev.mcpwarden.security.policy;
