package mapreduce.apps;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** The lab's tokenizer: words are maximal runs of Unicode letters; every other code point separates. */
final class Words {
  private Words() {}

  static List<String> split(String text) {
    List<String> words = new ArrayList<>();
    forEach(text, words::add);
    return words;
  }

  /** Hands every word of {@code text} to {@code sink} in order, without collecting them. */
  static void forEach(String text, Consumer<String> sink) {
    int n = text.length();
    int start = -1;
    int i = 0;
    while (i < n) {
      char c = text.charAt(i);
      // ASCII, most of any book, without the code-point decoding.
      boolean letter;
      int width = 1;
      if (c < 0x80) {
        letter = (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
      } else {
        int cp = text.codePointAt(i);
        letter = Character.isLetter(cp);
        width = Character.charCount(cp);
      }
      if (letter) {
        if (start < 0) {
          start = i;
        }
      } else if (start >= 0) {
        sink.accept(text.substring(start, i));
        start = -1;
      }
      i += width;
    }
    if (start >= 0) {
      sink.accept(text.substring(start));
    }
  }
}
