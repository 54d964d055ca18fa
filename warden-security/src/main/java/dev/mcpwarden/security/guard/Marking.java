package dev.mcpwarden.security.guard;

/**
 * How one string value of untrusted structured content is marked (see {@link Spotlighter}). Datamarking and encoding
 * change the value a program reads; {@link #VERBATIM} keeps it exact, for fields that are machine values (ids,
 * enums, timestamps), at the price of sending what a third party wrote there unmarked.
 */
public enum Marking {
    /** Between markers with a random id, verbatim inside. */
    DELIMIT,
    /** {@link Spotlighter#DATAMARK} between its words; same length where it has no line break or unspaced script. */
    DATAMARK,
    /** Base64 between markers. */
    ENCODE,
    /** Unchanged: a machine value (an explicit choice; the result still carries the untrusted-content flag). */
    VERBATIM
}
