package dev.mcpwarden.security.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PiiDetectorTest {

    private static List<String> found(PiiDetector detector, String text) {
        return detector.scan(text).stream().map(m -> m.kind() + " " + text.substring(m.start(), m.end())).toList();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "mail jane.doe@example.com today|EMAIL jane.doe@example.com",
        "<first.last+tag@sub.example.co.uk>|EMAIL first.last+tag@sub.example.co.uk",
        "call +1 415 555 0134 now|PHONE +1 415 555 0134",
        "tel +44 20 7946 0958.|PHONE +44 20 7946 0958",
        "+49-30-901820 office|PHONE +49-30-901820",
        "ring 0049 30 1234567 today|PHONE 0049 30 1234567",
        "0044-20-7946-0958|PHONE 0044-20-7946-0958",
        "(415) 555-0134|PHONE (415) 555-0134",
        "US 415-555-0134 x|PHONE 415-555-0134",
        "us 415.555.0134|PHONE 415.555.0134",
        "SSN 123-45-6789.|SSN 123-45-6789",
        "ssn: 123 45 6789|SSN 123 45 6789",
        "id 123.45.6789 on file|SSN 123.45.6789",
        "SSN: 123456789 verified|SSN 123456789",
        "Social Security Number #123456789|SSN 123456789",
        "her social security number is 123456789.|SSN 123456789",
        "write to jane.doe [at] example [dot] com|EMAIL jane.doe [at] example [dot] com",
        "jane.doe(at)example.com please|EMAIL jane.doe(at)example.com",
        "mail jane at example dot com today|EMAIL jane at example dot com",
        "jane.doe{at}mail.example.co.uk|EMAIL jane.doe{at}mail.example.co.uk",
        "card 4111 1111 1111 1111 exp|CARD 4111 1111 1111 1111",
        "4111-1111-1111-1111|CARD 4111-1111-1111-1111",
        "amex 378282246310005|CARD 378282246310005",
        "IBAN DE89 3704 0044 0532 0130 00 please|IBAN DE89 3704 0044 0532 0130 00",
        "GB82WEST12345698765432|IBAN GB82WEST12345698765432",
        "DOB: 1985-04-12.|DATE_OF_BIRTH 1985-04-12",
        "date of birth 12/04/1985|DATE_OF_BIRTH 12/04/1985",
        "she was born on March 3, 1990 in Leeds|DATE_OF_BIRTH March 3, 1990",
        "Geburtsdatum: 12.04.1985|DATE_OF_BIRTH 12.04.1985",
        "fecha de nacimiento 3 marzo 1990|DATE_OF_BIRTH 3 marzo 1990",
        "passport number 123456789|PASSPORT 123456789",
        "Passport no. X1234567, expires 2030|PASSPORT X1234567",
        "Reisepassnummer: C01X00T47|PASSPORT C01X00T47",
    })
    void personalDataIsFoundWithItsKindAndExactSpan(String text, String expected) {
        assertThat(found(PiiDetector.all(), text)).containsExactly(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "000-12-3456", "666-12-3456", "900-12-3456", "123-00-4567", "123-45-0000",
        "4111 1111 1111 1112", "1234 5678 9012 3456", "order 12345678901234 shipped",
        "DE89 3704 0044 0532 0130 01",
        "version 1.2.3, port 8080, ticket T-100, date 2026-07-28, time 10:30",
        "reports/2026..summary.txt", "room 101", "SELECT printer model 1=1 in room 101",
        "user@localhost", "@handle", "+12", "IP 192.168.100.200",
        "O'Brien's printer won't print; it says \"paper jam\" & beeps",
        "meet at noon at the cafe", "look at example.com for details", "order 123456789 shipped",
        "version 123 45 6789b", "see [at] the top",
        "created 2026-01-12, updated 12/03/2026", "the passport office is closed", "passport: required",
        "the passport photo is 35x45mm", "born in 1990",
    })
    void ordinaryTextAndInvalidNumbersAreNotPersonalData(String text) {
        assertThat(found(PiiDetector.all(), text)).as(text).isEmpty();
    }

    @Test
    void onlyTheConfiguredKindsAreFound() {
        PiiDetector emailOnly = PiiDetector.of(Set.of(FindingKind.EMAIL));
        assertThat(found(emailOnly, "jane@example.com 123-45-6789")).containsExactly("EMAIL jane@example.com");
        assertThat(emailOnly.kinds()).containsExactly(FindingKind.EMAIL);
    }

    @Test
    void secretKindsAreNotPiiKinds() {
        assertThatThrownBy(() -> PiiDetector.of(Set.of(FindingKind.API_KEY)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("kinds must be a non-empty subset of ")
                .hasMessageEndingWith(", was [API_KEY]");
    }

    @Test
    void aCardNumberInsideALongerDigitRunIsStillFound() {
        assertThat(found(PiiDetector.of(Set.of(FindingKind.CARD)), "ref 2026 4111 1111 1111 1111 12"))
                .containsExactly("CARD 4111 1111 1111 1111");
    }

    @Test
    void luhnAndMod97AreComputedCorrectly() {
        assertThat(PiiDetector.luhn("79927398713")).isTrue();
        assertThat(PiiDetector.luhn("79927398710")).isFalse();
        assertThat(PiiDetector.validIban("FR14 2004 1010 0505 0001 3M02 606")).isTrue();
        assertThat(PiiDetector.validIban("FR14 2004 1010 0505 0001 3M02 607")).isFalse();
    }
}
