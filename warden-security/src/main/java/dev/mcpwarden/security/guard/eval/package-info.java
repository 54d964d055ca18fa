/**
 * Evaluation sets for the content guards, and what a detector scores on them: labelled injection attempts and benign
 * look-alikes ({@link dev.mcpwarden.security.guard.eval.InjectionEvaluation}), and one positive and one near miss
 * per redaction rule ({@link dev.mcpwarden.security.guard.eval.RedactionEvaluation}). {@code warden guard eval}
 * prints the figures; the test suite asserts their thresholds.
 */
package dev.mcpwarden.security.guard.eval;
