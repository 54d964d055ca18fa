package dev.mcpwarden.security.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.security.text.Fold.Option;
import org.junit.jupiter.api.Test;

class FoldTest {

    private static final Fold KEEP_CASE = Fold.of();
    private static final Fold PHRASES = Fold.of(Option.LOWER_CASE, Option.COLLAPSE_SPACE);
    private static final Fold NAMES = Fold.of(Option.LOWER_CASE, Option.COLLAPSE_SPACE, Option.SEPARATORS_AS_SPACE);

    /** The original span of every folded character, as "start-end" pairs. */
    private static String spans(Folded f) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < f.text().length(); i++) {
            sb.append(i == 0 ? "" : " ").append(f.originStart(i)).append('-').append(f.originEnd(i + 1));
        }
        return sb.toString();
    }

    @Test
    void fullwidthLettersFoldToAsciiOneForOne() {
        Folded f = PHRASES.apply("\uFF29\uFF47\uFF4E\uFF4F\uFF52\uFF45 all");
        assertThat(f.text()).isEqualTo("ignore all");
        assertThat(spans(f)).isEqualTo("0-1 1-2 2-3 3-4 4-5 5-6 6-7 7-8 8-9 9-10");
        assertThat(KEEP_CASE.text("\uFF21\uFF2B\uFF29\uFF21\uFF11")).isEqualTo("AKIA1");
    }

    @Test
    void cyrillicAndGreekLookAlikesBecomeTheLatinLettersTheyImitateKeepingCaseUnlessLowerCased() {
        // І (U+0406) and о (U+043E) in "Іgnоre"; Greek Α (U+0391), ο (U+03BF), Cyrillic Ѕ (U+0405)
        assertThat(KEEP_CASE.text("\u0406gn\u043Ere")).isEqualTo("Ignore");
        assertThat(PHRASES.text("\u0406gn\u043Ere")).isEqualTo("ignore");
        assertThat(KEEP_CASE.text("\u0391\u03BFk \u0405K_live")).isEqualTo("Aok SK_live");
        // letters with no Latin twin stay as they are
        assertThat(KEEP_CASE.text("\u0416\u03A8")).isEqualTo("\u0416\u03A8");
        assertThat(Fold.lookAlike('\u0430')).isEqualTo('a');
        assertThat(Fold.lookAlike('x')).isEqualTo('x');
        assertThat(Fold.lookAlike('\u0416')).isEqualTo('\u0416');
    }

    @Test
    void zeroWidthCharactersInsideAWordVanishAndTheWordMapsBackWhole() {
        String s = "ig\u200Dno\u200Bre\u2060!";
        Folded f = PHRASES.apply(s);
        assertThat(f.text()).isEqualTo("ignore!");
        assertThat(spans(f)).isEqualTo("0-1 1-2 3-4 4-5 6-7 7-8 9-10");
        assertThat(s.substring(f.originStart(0), f.originEnd(6))).isEqualTo("ig\u200Dno\u200Bre");
    }

    @Test
    void bidiOverridesIsolatesAndMarksVanish() {
        Folded f = KEEP_CASE.apply("abc\u202Edef\u202C\u2066g\u2069\u200F");
        assertThat(f.text()).isEqualTo("abcdefg");
        assertThat(spans(f)).isEqualTo("0-1 1-2 2-3 4-5 5-6 6-7 9-10");
    }

    @Test
    void theWholeTagBlockVanishesAssignedOrNot() {
        // U+E0000 (unassigned), U+E0001 LANGUAGE TAG, U+E0069 TAG LATIN SMALL LETTER I, U+E007F CANCEL TAG
        String s = "a\uDB40\uDC00\uDB40\uDC01\uDB40\uDC69\uDB40\uDC7Fb";
        Folded f = PHRASES.apply(s);
        assertThat(f.text()).isEqualTo("ab");
        assertThat(spans(f)).isEqualTo("0-1 9-10");
    }

    @Test
    void combiningMarksAreDroppedWhetherPrecomposedOrStacked() {
        assertThat(PHRASES.text("ign\u00F3re")).isEqualTo("ignore");
        assertThat(PHRASES.text("igno\u0301re")).isEqualTo("ignore");
        assertThat(PHRASES.text("I\u0336g\u0336n\u0336o\u0336r\u0336e\u0336")).isEqualTo("ignore");
        assertThat(KEEP_CASE.text("Z\u00FCrich caf\u00E9 \u0130")).isEqualTo("Zurich cafe I");
        // a Greek letter with tonos loses the tonos and then its look-alike counts: ό is o
        assertThat(PHRASES.text("ign\u03CCre")).isEqualTo("ignore");
        Folded f = PHRASES.apply("igno\u0301re");
        assertThat(spans(f)).isEqualTo("0-1 1-2 2-3 3-4 5-6 6-7");
    }

    @Test
    void aCodePointOutsideTheBmpFoldsAndMapsBackToBothOfItsSurrogates() {
        // U+1D422 MATHEMATICAL BOLD SMALL I is the pair D835 DC22
        Folded f = PHRASES.apply("\uD835\uDC22gnore");
        assertThat(f.text()).isEqualTo("ignore");
        assertThat(spans(f)).isEqualTo("0-2 2-3 3-4 4-5 5-6 6-7");
        // an emoji stays two chars, each mapping to the whole pair
        Folded e = KEEP_CASE.apply("a\uD83D\uDE00b");
        assertThat(e.text()).isEqualTo("a\uD83D\uDE00b");
        assertThat(spans(e)).isEqualTo("0-1 1-3 1-3 3-4");
        assertThat(e.originEnd(2)).isEqualTo(3);
    }

    @Test
    void anExpandedCompatibilityCharacterMapsEveryPieceToTheOneOriginal() {
        Folded f = PHRASES.apply("\uFB01le \u2474");
        assertThat(f.text()).isEqualTo("file (1)");
        assertThat(spans(f)).isEqualTo("0-1 0-1 1-2 2-3 3-4 4-5 4-5 4-5");
    }

    @Test
    void whiteSpaceRunsCollapseToOneSpaceThatStandsForTheRunAndNoneAtTheStart() {
        String s = "  a \u200B\t\u3000 b  ";
        Folded f = PHRASES.apply(s);
        assertThat(f.text()).isEqualTo("a b ");
        assertThat(spans(f)).isEqualTo("2-3 3-8 8-9 9-11");
        // without the option white space is kept as it is (after NFKC: U+3000 is a space)
        assertThat(KEEP_CASE.text(s)).isEqualTo("  a \t  b  ");
    }

    @Test
    void memberNamesReadUnderscoresAndHyphensAsSpaces() {
        assertThat(NAMES.text("Side_Note--x")).isEqualTo("side note x");
        assertThat(PHRASES.text("Side_Note--x")).isEqualTo("side_note--x");
        assertThatThrownBy(() -> Fold.of(Option.SEPARATORS_AS_SPACE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SEPARATORS_AS_SPACE needs COLLAPSE_SPACE");
    }

    @Test
    void lowerCasingIsPerCodePointSoDottedCapitalIGrowsNoCombiningDot() {
        assertThat(PHRASES.text("\u0130GNORE")).isEqualTo("ignore");
        assertThat("\u0130".toLowerCase(java.util.Locale.ROOT)).hasSize(2); // what whole-string lower-casing does
    }

    @Test
    void loneSurrogatesAreKeptAsTheyAre() {
        Folded f = KEEP_CASE.apply("a\uD800b");
        assertThat(f.text()).isEqualTo("a\uD800b");
        assertThat(spans(f)).isEqualTo("0-1 1-2 2-3");
    }

    @Test
    void theEndOfTheFoldedTextMapsToTheEndOfTheOriginal() {
        Folded f = PHRASES.apply("ab\u200B");
        assertThat(f.originStart(2)).isEqualTo(3);
        assertThat(f.originEnd(0)).isEqualTo(0);
        Folded empty = PHRASES.apply("\u200B\u200B");
        assertThat(empty.text()).isEmpty();
        assertThat(empty.originStart(0)).isEqualTo(2);
        assertThat(empty.originEnd(0)).isEqualTo(2);
        assertThatThrownBy(() -> f.originStart(3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(f.original()).isEqualTo("ab\u200B");
    }

    @Test
    void asciiTextIsUnchangedWhenCaseIsKept() {
        String s = "sk_live_51Hs9xZ2eZvKYlo2C0a1b2c3d4e5f6g7h8\n-----BEGIN KEY-----";
        Folded f = KEEP_CASE.apply(s);
        assertThat(f.text()).isEqualTo(s);
        assertThat(f.originStart(10)).isEqualTo(10);
        assertThat(f.originEnd(s.length())).isEqualTo(s.length());
    }
}
