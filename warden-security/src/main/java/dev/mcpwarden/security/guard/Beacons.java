package dev.mcpwarden.security.guard;

import dev.mcpwarden.security.text.Fold;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hidden-channel beacons: a markdown image or link, an HTML element that loads a URL ({@code img}, {@code iframe},
 * {@code script}, a CSS {@code url(…)}), or a bare URL, whose query is to carry data the model holds. A client that
 * renders the answer fetches the URL and hands the data to its owner without a click. A beacon shows in its query:
 * a value that is a placeholder for the model to fill in ({@code {conversation}}, {@code <base64 …>},
 * {@code $API_KEY}, {@code %PASSWORD%}, {@code SECRET_HERE}, a word in capitals or in a non-Latin script), a value
 * left empty for something to be appended, or words around it that ask for the query to be filled ("replacing X with
 * the API key", "ersetze", "remplaçant", "заменив", "替换"). Images with ordinary queries ({@code ?w=800&h=400},
 * {@code ?utm_source=newsletter}, {@code ?style=flat}) are not beacons.
 *
 * <p>Read on the original text with case kept (capitals matter) after the shared fold; each pattern is bounded, so
 * the cost is linear.
 */
final class Beacons {

    private static final Fold FOLD = Fold.of();

    private static final Pattern URL = Pattern.compile(
            "(?:!?\\[[^\\]\\n]{0,200}\\]\\(\\s*|<(?:img|iframe|script|link|a|source|video|audio|embed|object|image)\\b"
                    + "[^>]{0,300}?\\b(?:src|href|data|srcset|poster)\\s*=\\s*[\"']?|url\\(\\s*[\"']?|(?<![\\w/]))"
                    + "(https?://[^\\s\"'()<>]{1,2000}\\?[^\\s\"'()<>]{0,2000})([\"')>]|\\s|$)?",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern PARAMETER = Pattern.compile("[?&]([^=&#]{1,40})=([^&#]*)");
    private static final Pattern PLACEHOLDER = Pattern.compile(
            "[{}<>\\[\\]$]|%[A-Za-z_]{2,40}%|^[A-Z][A-Z0-9_]{3,}$|_[A-Z]{2,}|[A-Z]{2,}_|\\p{IsCyrillic}|\\p{IsHan}"
                    + "|\\p{IsHiragana}|\\p{IsKatakana}|\\p{IsHangul}|\\p{IsArabic}|\\p{IsDevanagari}");
    /** Words asking for a URL to be completed, in the detector's languages. */
    private static final Pattern FILL = Pattern.compile("(?iu)\\b(?:replac(?:e|ing)|fill(?:ing)?\\s+in|substitut"
            + "|append(?:ed|ing)?|followed\\s+by|plus\\s+the|url-?encoded|encoded\\s+in\\s+the\\s+query|ersetz"
            + "|einf(?:ü|u)g|rempla(?:ç|c)|substitu|sustituy|reemplaz|troc(?:ando|ar)|sostitu|vervang|заменив|замени"
            + "|yerine|zamieniaj)|替换|替換|置き換え|바꾸|استبدل");

    private Beacons() {
    }

    /** Adds {@code beacon} to {@code signals} when the text carries one. */
    static void signals(String text, Map<String, Double> signals) {
        if (text.indexOf("://") < 0 || text.indexOf('?') < 0) {
            return;
        }
        String s = FOLD.text(text);
        Matcher m = URL.matcher(s);
        boolean withQuery = false;
        while (m.find()) {
            String url = m.group(1);
            Matcher p = PARAMETER.matcher(url);
            while (p.find()) {
                String value = p.group(2);
                boolean empty = value.isEmpty() && p.end() == url.length();
                if (empty || PLACEHOLDER.matcher(value).find()) {
                    signals.merge("beacon", 0.6, Math::max);
                    return;
                }
                withQuery = true;
            }
        }
        if (withQuery && FILL.matcher(s).find()) {
            signals.merge("beacon", 0.6, Math::max);
        }
    }
}
