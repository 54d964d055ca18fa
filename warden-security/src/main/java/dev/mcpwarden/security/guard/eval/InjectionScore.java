package dev.mcpwarden.security.guard.eval;

import java.util.List;

/**
 * What a detector scored on one injection evaluation set.
 *
 * @param set            the set's name
 * @param attacks        attack cases
 * @param detected       attacks the detector flagged
 * @param stopped        attacks flagged or spotlighted (their source is untrusted)
 * @param benign         benign cases
 * @param falsePositives benign cases the detector flagged
 * @param missed         ids of attacks neither flagged nor spotlighted, then of attacks only spotlighted
 * @param flagged        ids of benign cases flagged
 */
public record InjectionScore(String set, int attacks, int detected, int stopped, int benign, int falsePositives,
                             List<String> missed, List<String> flagged) {
    public InjectionScore {
        missed = List.copyOf(missed);
        flagged = List.copyOf(flagged);
    }

    /** Share of attacks the detector flagged. */
    public double detectionRecall() {
        return attacks == 0 ? 1 : (double) detected / attacks;
    }

    /** Share of attacks flagged or spotlighted. */
    public double recallWithSpotlighting() {
        return attacks == 0 ? 1 : (double) stopped / attacks;
    }

    /** Share of benign texts flagged. */
    public double falsePositiveRate() {
        return benign == 0 ? 0 : (double) falsePositives / benign;
    }

    /** One line: the set, both recalls and the false-positive rate, with counts. */
    public String summary() {
        return String.format(java.util.Locale.ROOT,
                "%s: recall %.1f%% detected (%d/%d), %.1f%% with spotlighting (%d/%d); false positives %.1f%% (%d/%d)",
                set, 100 * detectionRecall(), detected, attacks, 100 * recallWithSpotlighting(), stopped, attacks,
                100 * falsePositiveRate(), falsePositives, benign);
    }
}
