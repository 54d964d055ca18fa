/**
 * Text handling shared by the guards and the tool-integrity scanner: the Unicode character classes ({@link
 * dev.mcpwarden.security.text.Unicode}) and the one folding step detectors match on ({@link
 * dev.mcpwarden.security.text.Fold}), with its map back to the original text ({@link
 * dev.mcpwarden.security.text.Folded}).
 */
package dev.mcpwarden.security.text;
