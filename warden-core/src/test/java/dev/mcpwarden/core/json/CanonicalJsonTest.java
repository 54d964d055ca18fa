package dev.mcpwarden.core.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/** RFC 8785 (JCS), checked against the examples the RFC publishes. */
class CanonicalJsonTest {

    private static JsonNode json(String text) {
        return Json.standard().parse(text);
    }

    private static double bits(String hex) {
        return Double.longBitsToDouble(Long.parseUnsignedLong(hex, 16));
    }

    @Test
    void theCombinedSampleOfSection322IsWrittenExactlyAsTheRfcShowsIt() {
        String input = "{\n  \"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n"
                + "  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n"
                + "  \"literals\": [null, true, false]\n}";
        String expected = "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
                + "\"string\":\"\u20ac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";
        assertThat(CanonicalJson.of(json(input))).isEqualTo(expected);
        assertThat(CanonicalJson.utf8(json(input))).isEqualTo(expected.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void membersAreSortedByUtf16CodeUnitsSoASurrogatePairSortsBeforeAPrivateUseCharacter() {
        // Section 3.2.3: U+1F600 is the pair D83D DE00, which sorts before U+FB33 and after U+20AC
        String input = "{\"\\u20ac\":\"Euro Sign\",\"\\r\":\"Carriage Return\","
                + "\"\\ufb33\":\"Hebrew Letter Dalet With Dagesh\",\"1\":\"One\","
                + "\"\\ud83d\\ude00\":\"Emoji: Grinning Face\",\"\\u0080\":\"Control\","
                + "\"\\u00f6\":\"Latin Small Letter O With Diaeresis\"}";
        assertThat(CanonicalJson.of(json(input))).isEqualTo("{\"\\r\":\"Carriage Return\",\"1\":\"One\","
                + "\"\u0080\":\"Control\",\"\u00f6\":\"Latin Small Letter O With Diaeresis\",\"\u20ac\":\"Euro Sign\","
                + "\"\uD83D\uDE00\":\"Emoji: Grinning Face\",\"\uFB33\":\"Hebrew Letter Dalet With Dagesh\"}");
        // by code points U+E000 would come first; by UTF-16 code units the pair (D83D…) does
        assertThat(CanonicalJson.of(json("{\"\\ue000\":1,\"\\ud83d\\ude00\":2}")))
                .isEqualTo("{\"\uD83D\uDE00\":2,\"\uE000\":1}");
    }

    @Test
    void nestedObjectsAreSortedAtEveryLevelAndArraysKeepTheirOrder() {
        assertThat(CanonicalJson.of(json("{ \"b\" : [3, {\"z\":1, \"a\":2}], \"a\" : { \"y\":null, \"x\":true } }")))
                .isEqualTo("{\"a\":{\"x\":true,\"y\":null},\"b\":[3,{\"a\":2,\"z\":1}]}");
    }

    @ParameterizedTest(name = "0x{0} is written {1}")
    @CsvSource({
        "0000000000000000, 0",
        "8000000000000000, 0",
        "0000000000000001, 5e-324",
        "8000000000000001, -5e-324",
        "7fefffffffffffff, 1.7976931348623157e+308",
        "ffefffffffffffff, -1.7976931348623157e+308",
        "4340000000000000, 9007199254740992",
        "c340000000000000, -9007199254740992",
        "4430000000000000, 295147905179352830000",
        "44b52d02c7e14af5, 9.999999999999997e+22",
        "44b52d02c7e14af6, 1e+23",
        "44b52d02c7e14af7, 1.0000000000000001e+23",
        "444b1ae4d6e2ef4e, 999999999999999700000",
        "444b1ae4d6e2ef4f, 999999999999999900000",
        "444b1ae4d6e2ef50, 1e+21",
        "3eb0c6f7a0b5ed8c, 9.999999999999997e-7",
        "3eb0c6f7a0b5ed8d, 0.000001",
        "41b3de4355555553, 333333333.3333332",
        "41b3de4355555554, 333333333.33333325",
        "41b3de4355555555, 333333333.3333333",
        "41b3de4355555556, 333333333.3333334",
        "41b3de4355555557, 333333333.33333343",
        "becbf647612f3696, -0.0000033333333333333333",
        "43143ff3c1cb0959, 1424953923781206.2",
    })
    void everyFiniteNumberOfAppendixBIsWrittenAsTheRfcShows(String ieee754, String expected) {
        assertThat(CanonicalJson.number(bits(ieee754))).isEqualTo(expected);
        assertThat(CanonicalJson.of(Json.nodes().numberNode(bits(ieee754)))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} is written {1}")
    @CsvSource({
        "1e21, 1e+21",
        "1e-7, 1e-7",
        "0.000001, 0.000001",
        "-0, 0",
        "-0.0, 0",
        "333333333.33333329, 333333333.3333333",
        "1E30, 1e+30",
        "4.50, 4.5",
        "2e-3, 0.002",
        "0.000000000000000000000000001, 1e-27",
        "10, 10",
        "10.0, 10",
        "1e1, 10",
        "100000000000000000000, 100000000000000000000",
        "123e-20, 1.23e-18",
        "-1.5e300, -1.5e+300",
        "9007199254740991, 9007199254740991",
        "9007199254740993, 9007199254740992",
        "123456789012345678901, 123456789012345680000",
        "18446744073709551616, 18446744073709552000",
    })
    void parsedNumbersCountByTheirNearestDouble(String text, String expected) {
        assertThat(CanonicalJson.of(json(text))).isEqualTo(expected);
    }

    @Test
    void bigIntegerAndBigDecimalNodesCountByTheirNearestDoubleToo() {
        assertThat(CanonicalJson.of(Json.nodes().numberNode(new BigDecimal("4.50")))).isEqualTo("4.5");
        assertThat(CanonicalJson.of(Json.nodes().numberNode(new BigDecimal("1E+21")))).isEqualTo("1e+21");
        assertThat(CanonicalJson.of(Json.nodes().numberNode(BigInteger.TWO.pow(60)))).isEqualTo("1152921504606847000");
        assertThat(CanonicalJson.of(Json.nodes().numberNode(Long.MIN_VALUE))).isEqualTo("-9223372036854776000");
    }

    @Test
    void nonFiniteNumbersAreRefused() {
        for (double d : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            assertThatThrownBy(() -> CanonicalJson.of(Json.nodes().numberNode(d)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("a canonical JSON number must be a finite double, was " + d);
        }
        assertThatThrownBy(() -> CanonicalJson.of(Json.nodes().numberNode(BigInteger.TEN.pow(400))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("a canonical JSON number must be a finite double, was 1000");
    }

    @Test
    void stringsCarryOnlyTheMandatoryEscapesWithLowerCaseHex() {
        assertThat(CanonicalJson.of(Json.nodes().stringNode("q\"\\\b\f\n\r\t\u0000\u000b\u001f\u007f/\u00e9\u2028")))
                .isEqualTo("\"q\\\"\\\\\\b\\f\\n\\r\\t\\u0000\\u000b\\u001f\u007f/\u00e9\u2028\"");
    }

    @Test
    void stringsAreNotNormalisedSoLookAlikesAndInvisibleCharactersStayDistinct() {
        assertThat(CanonicalJson.of(Json.nodes().stringNode("caf\u00e9"))).isEqualTo("\"caf\u00e9\"");
        assertThat(CanonicalJson.of(Json.nodes().stringNode("cafe\u0301"))).isEqualTo("\"cafe\u0301\"");
        assertThat(CanonicalJson.of(Json.nodes().stringNode("\u043epen\u200b"))).isEqualTo("\"\u043epen\u200b\"");
    }

    @Test
    void loneSurrogatesAreEscapedSoThatDifferentOnesNeverWriteAlike() {
        assertThat(CanonicalJson.of(Json.nodes().stringNode("a\uD800b"))).isEqualTo("\"a\\ud800b\"");
        assertThat(CanonicalJson.of(Json.nodes().stringNode("a\uDC01"))).isEqualTo("\"a\\udc01\"");
        assertThat(CanonicalJson.of(Json.nodes().stringNode("\uD83D\uDE00"))).isEqualTo("\"\uD83D\uDE00\"");
        assertThat(new String(CanonicalJson.utf8(Json.nodes().stringNode("\uD800")), StandardCharsets.UTF_8))
                .isEqualTo("\"\\ud800\"");
    }

    @Test
    void nullAndMissingAreWrittenAsNull() {
        assertThat(CanonicalJson.of(null)).isEqualTo("null");
        assertThat(CanonicalJson.of(Json.nodes().missingNode())).isEqualTo("null");
        assertThat(CanonicalJson.of(json("[null,true,false,\"\"]"))).isEqualTo("[null,true,false,\"\"]");
    }
}
