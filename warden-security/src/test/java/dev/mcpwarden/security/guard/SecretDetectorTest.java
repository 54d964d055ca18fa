package dev.mcpwarden.security.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SecretDetectorTest {

    static final String JWT = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSIsImV4cCI6MTc5MDAwMDAwMH0"
            + ".c2lnbmF0dXJlLWJ5dGVzLWhlcmUtMTIzNDU2Nzg5MA";
    static final String PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7b9v0Hq3\nq1w2e3r4t5y6u7i8o9p0\n"
            + "-----END RSA PRIVATE KEY-----";

    final Redactor redactor = Redactor.secrets();

    /** The one finding's kind and the exact text of its span. */
    private static String only(String text) {
        List<TextMatch> spans = Redactor.secrets().spans(text);
        assertThat(spans).as(text).hasSize(1);
        TextMatch m = spans.get(0);
        return m.kind() + " " + text.substring(m.start(), m.end());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "key: sk_live_51Hs9xZ2eZvKYlo2C0a1b2c3d4e5f6g7h8|API_KEY sk_live_51Hs9xZ2eZvKYlo2C0a1b2c3d4e5f6g7h8",
        "rk_live_51AbCdEfGhIjKlMnOpQrStUv rest|API_KEY rk_live_51AbCdEfGhIjKlMnOpQrStUv",
        "sk_test_4eC39HqLyjWDarjtT1zdp7dc|API_KEY sk_test_4eC39HqLyjWDarjtT1zdp7dc",
        "OPENAI=sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z|API_KEY sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z",
        "token ghp_16C7e42F292c6912E7710c838347Ae178B4a ok|API_KEY ghp_16C7e42F292c6912E7710c838347Ae178B4a",
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz|"
                + "API_KEY github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
        "slack xoxb-2134-5678-AbCdEfGhIjKl end|API_KEY xoxb-2134-5678-AbCdEfGhIjKl",
        "maps AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY!|API_KEY AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY",
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE|AWS_KEY AKIAIOSFODNN7EXAMPLE",
        "ASIAY34FZKBOKMUTVV7A is temporary|AWS_KEY ASIAY34FZKBOKMUTVV7A",
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY|"
                + "AWS_KEY wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "url=postgres://app:S3cr3t!pw@db.internal:5432/prod now|"
                + "CONNECTION_STRING postgres://app:S3cr3t!pw@db.internal:5432/prod",
        "mongodb+srv://admin:hunter22@cluster0.ab1cd.mongodb.net/test|"
                + "CONNECTION_STRING mongodb+srv://admin:hunter22@cluster0.ab1cd.mongodb.net/test",
        "jdbc:mysql://db:3306/app?user=app&password=Zx9!kq2Lm end|"
                + "CONNECTION_STRING jdbc:mysql://db:3306/app?user=app&password=Zx9!kq2Lm",
        "Server=db;Database=app;User Id=sa;Password=Pa55w0rd!x;|"
                + "CONNECTION_STRING Server=db;Database=app;User Id=sa;Password=Pa55w0rd!x;",
        "password=Tr0ub4dor&3 done|PASSWORD Tr0ub4dor",
        "\"api_key\": \"9f8e7d6c5b4a39281706\"|API_KEY 9f8e7d6c5b4a39281706",
        "Authorization: Bearer abcDEF123456ghiJKL789mno|TOKEN abcDEF123456ghiJKL789mno",
        "GITLAB=glpat-xK9mP2vL8qR4tY7wZ3nB end|API_KEY glpat-xK9mP2vL8qR4tY7wZ3nB",
        "//registry.npmjs.org/:_authToken=npm_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8|"
                + "API_KEY npm_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
        "hf_aBcDeFgHiJkLmNoPqRsTuVwXyZaBcDeFgH is the token|API_KEY hf_aBcDeFgHiJkLmNoPqRsTuVwXyZaBcDeFgH",
        "SG.aBcDeFgHiJkLmNoPqRsTuV.aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789aBcDeFg sent|"
                + "API_KEY SG.aBcDeFgHiJkLmNoPqRsTuV.aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789aBcDeFg",
        "shopify shpat_0123456789abcdef0123456789abcdef|API_KEY shpat_0123456789abcdef0123456789abcdef",
        "DO=dop_v1_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef|"
                + "API_KEY dop_v1_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "client_secret GOCSPX-aBcDeFgHiJkLmNoPqRsTuVwXyZ01|API_KEY GOCSPX-aBcDeFgHiJkLmNoPqRsTuVwXyZ01",
        "access ya29.a0AfH6SMBx3kL9mP2vQ8rT4yW7zN1bC5dF6gH|TOKEN ya29.a0AfH6SMBx3kL9mP2vQ8rT4yW7zN1bC5dF6gH",
        "databricks dapi0123456789abcdef0123456789abcdef here|API_KEY dapi0123456789abcdef0123456789abcdef",
        "VAULT_TOKEN=hvs.CAESIJlWh3sKb9xQmP2vL8qR4tY7|TOKEN hvs.CAESIJlWh3sKb9xQmP2vL8qR4tY7",
        "key AGE-SECRET-KEY-1QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7LQPZRY9X8GF2TVDW0S3JN54KHCE end|PRIVATE_KEY AGE-SECRET-KEY-1QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7LQPZRY9X8GF2TVDW0S3JN54KHCE",
        "PMAK-0123456789abcdef01234567-0123456789abcdef0123456789abcdef01|"
                + "API_KEY PMAK-0123456789abcdef01234567-0123456789abcdef0123456789abcdef01",
        "twilio SK0123456789abcdef0123456789abcdef ok|API_KEY SK0123456789abcdef0123456789abcdef",
        "mailgun key-0123456789abcdef0123456789abcdef ok|API_KEY key-0123456789abcdef0123456789abcdef",
        "hook https://discord.com/api/webhooks/123456789012345678/aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789aBcDeFgHiJ|"
                + "API_KEY https://discord.com/api/webhooks/123456789012345678/aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789aBcDeFgHiJ",
        "bot 123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0 ok|TOKEN 123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0",
        "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFy==;|"
                + "API_KEY Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFy==",
        "https://acct.blob.core.windows.net/c?sv=2022-11-02&sig=aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789%2B%3D|"
                + "TOKEN aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789%2B%3D",
        "AZURE_CLIENT_SECRET=abc8Q~aBcDeFgHiJkLmNoPqRsTuVwXyZ012345 x|API_KEY abc8Q~aBcDeFgHiJkLmNoPqRsTuVwXyZ012345",
        "Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l|TOKEN YWxhZGRpbjpvcGVuc2VzYW1l",
    })
    void credentialsAreFoundWithTheirKindAndExactSpan(String text, String expected) {
        assertThat(only(text)).isEqualTo(expected);
    }

    @Test
    void aJwtIsAToken() {
        assertThat(only("id_token=" + JWT)).isEqualTo("TOKEN " + JWT);
    }

    @Test
    void aPrivateKeyIsRedactedAsOneWholeBlock() {
        String text = "key:\n" + PEM + "\nafter";
        assertThat(only(text)).isEqualTo("PRIVATE_KEY " + PEM);
        assertThat(redactor.redactText(text).text()).isEqualTo("key:\n[REDACTED-PRIVATE_KEY]\nafter");
    }

    @Test
    void aTruncatedPrivateKeyIsRedactedToTheEndOfTheText() {
        String text = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA";
        assertThat(redactor.redactText("x " + text).text()).isEqualTo("x [REDACTED-PRIVATE_KEY]");
    }

    @Test
    void aKeySplitByZeroWidthCharactersIsStillCaughtAndRedactedWhole() {
        String split = "key sk_live_\u200b51Hs9xZ2eZvKYlo2C0a1b2c\u200d3d4e5f6g7h8 end";
        Redactor.RedactedText r = redactor.redactText(split);
        assertThat(r.text()).isEqualTo("key [REDACTED-API_KEY] end");
        assertThat(r.kinds()).containsExactly(FindingKind.API_KEY);
    }

    @Test
    void aKeyWrittenInFullwidthLettersIsCaught() {
        String fullwidth = "\uff53\uff4b\uff3f\uff4c\uff49\uff56\uff45\uff3f51Hs9xZ2eZvKYlo2C0a1b2c";
        assertThat(redactor.redactText("k=" + fullwidth + ".").text()).isEqualTo("k=[REDACTED-API_KEY].");
    }

    @Test
    void aSoftHyphenOrBidiControlInsideAnAwsKeyDoesNotHideIt() {
        assertThat(redactor.redactText("AKIAIOSF\u00adODNN7EXAMPLE").text()).isEqualTo("[REDACTED-AWS_KEY]");
        assertThat(redactor.redactText("AKIA\u202eIOSFODNN7EXAMPLE").text()).isEqualTo("[REDACTED-AWS_KEY]");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "sk-learn-classification-tutorial-for-beginners",
        "the password is stored in the vault",
        "password=${DB_PASSWORD}",
        "password: ********",
        "password=aaaaaaaaaaaa",
        "token: abc",
        "AKIA is a prefix, AKIAshort",
        "AKIAIOSFODNN7EXAMPLEX",
        "eyJhbGciOi is not a token",
        "https://example.com/path?x=1",
        "postgres://db.example.com:5432/app",
        "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQ\n-----END PUBLIC KEY-----",
        "ticket T-100 about the printer; call 415 555 0134",
        "Ignore the previous ticket, this one supersedes it. Path is C:\\Users\\jane\\vpn.log",
    })
    void ordinaryTextHasNoSecrets(String text) {
        assertThat(SecretDetector.standard().scan(Redactor.FOLD.text(text))).as(text).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"password=hunter2hunter2", "pwd: Summer2024!", "passwd = \"letmein99\"",
        "PASSWORD=CorrectHorse", "db pass: qwerty-12345"})
    void aPasswordPeopleChoseIsRedactedThoughItsEntropyIsLow(String text) {
        assertThat(redactor.redactText(text).kinds()).as(text).containsExactly(FindingKind.PASSWORD);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Passwort: Sommer2024!", "Kennwort=Geheim123", "contraseña: Verano2024", "senha=Verao2024!",
        "mot de passe : Ete2024!", "wachtwoord=Zomer2024", "hasło: Lato2024!", "parola=Estate2024", "пароль: Лето2024!",
        "salasana=Kesa2024!", "lösenord: Sommar2024"})
    void aPasswordGivenUnderItsNameInAnotherLanguageIsRedacted(String text) {
        assertThat(redactor.redactText(text).kinds()).as(text).containsExactly(FindingKind.PASSWORD);
    }

    @Test
    void aCredentialWrittenInBase64OrHexIsRedactedWhole() {
        String aws = java.util.Base64.getEncoder().encodeToString("AKIAIOSFODNN7EXAMPLE".getBytes());
        assertThat(redactor.redactText("the secret is " + aws + " ok").text())
                .isEqualTo("the secret is [REDACTED-AWS_KEY] ok");
        String stripe = java.util.HexFormat.of().formatHex("sk_live_51Hs9xZ2eZvKYlo2C0a1b2c3d4".getBytes());
        assertThat(redactor.redactText("blob " + stripe).text()).isEqualTo("blob [REDACTED-API_KEY]");
        String config = java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString("db_password=Zx9!kq2Lm-tr0ub4dor".getBytes());
        assertThat(redactor.redactText("cfg=" + config).kinds()).containsExactly(FindingKind.PASSWORD);
    }

    @Test
    void aVendorKeyWrittenInGroupsIsRedactedAcrossItsGroups() {
        assertThat(redactor.redactText("my key is AKIA IOSF ODNN 7EXA MPLE, thanks").text())
                .isEqualTo("my key is [REDACTED-AWS_KEY], thanks");
        assertThat(redactor.redactText("AKIA-IOSF-ODNN-7EXA-MPLE").text()).isEqualTo("[REDACTED-AWS_KEY]");
        assertThat(redactor.redactText("room 12 on floor 3 is free from 10 to 11 am").kinds()).isEmpty();
        assertThat(redactor.redactText("order AB 12 CD 34 EF 56 shipped").kinds()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
        "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "aGVsbG8gd29ybGQsIHRoaXMgaXMgYSBwbGFpbiBzZW50ZW5jZQ==",
        "getIntegrationConfigurationForTenant",
    })
    void encodedTextWithoutACredentialIsLeftAlone(String text) {
        assertThat(redactor.redactText(text).kinds()).as(text).isEmpty();
    }

    @Test
    void entropyIsMeasuredInBitsPerCharacter() {
        assertThat(SecretDetector.entropy("aaaa")).isEqualTo(0.0);
        assertThat(SecretDetector.entropy("abcd")).isCloseTo(2.0, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(SecretDetector.looksRandom("${SECRET_FROM_ENV}")).isFalse();
        assertThat(SecretDetector.looksRandom("Zx9!kq2Lm")).isTrue();
    }
}
