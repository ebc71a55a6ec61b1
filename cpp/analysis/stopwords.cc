#include "analysis/stopwords.h"

#include <algorithm>

#include "analysis/unicode_text.h"

namespace tomes::analysis {

namespace {

// Snowball's English stop list (snowballstem.org, algorithms/english/stop.txt),
// the entries that are not commented out, in the list's order.
constexpr const char* kEnglish[] = {
    "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours",
    "yourself", "yourselves", "he", "him", "his", "himself", "she", "her", "hers", "herself",
    "it", "its", "itself", "they", "them", "their", "theirs", "themselves", "what", "which",
    "who", "whom", "this", "that", "these", "those", "am", "is", "are", "was", "were", "be",
    "been", "being", "have", "has", "had", "having", "do", "does", "did", "doing", "would",
    "should", "could", "ought", "i'm", "you're", "he's", "she's", "it's", "we're", "they're",
    "i've", "you've", "we've", "they've", "i'd", "you'd", "he'd", "she'd", "we'd", "they'd",
    "i'll", "you'll", "he'll", "she'll", "we'll", "they'll", "isn't", "aren't", "wasn't",
    "weren't", "hasn't", "haven't", "hadn't", "doesn't", "don't", "didn't", "won't",
    "wouldn't", "shan't", "shouldn't", "can't", "cannot", "couldn't", "mustn't", "let's",
    "that's", "who's", "what's", "here's", "there's", "when's", "where's", "why's", "how's",
    "a", "an", "the", "and", "but", "if", "or", "because", "as", "until", "while", "of", "at",
    "by", "for", "with", "about", "against", "between", "into", "through", "during", "before",
    "after", "above", "below", "to", "from", "up", "down", "in", "out", "on", "off", "over",
    "under", "again", "further", "then", "once", "here", "there", "when", "where", "why", "how",
    "all", "any", "both", "each", "few", "more", "most", "other", "some", "such", "no", "nor",
    "not", "only", "own", "same", "so", "than", "too", "very",
};

// Snowball's Portuguese stop list (snowballstem.org, algorithms/portuguese/stop.txt),
// the entries that are not commented out, in the list's order ("tém" is Snowball's).
constexpr const char* kPortuguese[] = {
    "de", "a", "o", "que", "e", "do", "da", "em", "um", "para", "com", "não", "uma", "os", "no",
    "se", "na", "por", "mais", "as", "dos", "como", "mas", "ao", "ele", "das", "à", "seu", "sua",
    "ou", "quando", "muito", "nos", "já", "eu", "também", "só", "pelo", "pela", "até", "isso",
    "ela", "entre", "depois", "sem", "mesmo", "aos", "seus", "quem", "nas", "me", "esse", "eles",
    "você", "essa", "num", "nem", "suas", "meu", "às", "minha", "numa", "pelos", "elas", "qual",
    "nós", "lhe", "deles", "essas", "esses", "pelas", "este", "dele", "tu", "te", "vocês", "vos",
    "lhes", "meus", "minhas", "teu", "tua", "teus", "tuas", "nosso", "nossa", "nossos", "nossas",
    "dela", "delas", "esta", "estes", "estas", "aquele", "aquela", "aqueles", "aquelas", "isto",
    "aquilo", "estou", "está", "estamos", "estão", "estive", "esteve", "estivemos", "estiveram",
    "estava", "estávamos", "estavam", "estivera", "estivéramos", "esteja", "estejamos",
    "estejam", "estivesse", "estivéssemos", "estivessem", "estiver", "estivermos", "estiverem",
    "hei", "há", "havemos", "hão", "houve", "houvemos", "houveram", "houvera", "houvéramos",
    "haja", "hajamos", "hajam", "houvesse", "houvéssemos", "houvessem", "houver", "houvermos",
    "houverem", "houverei", "houverá", "houveremos", "houverão", "houveria", "houveríamos",
    "houveriam", "sou", "somos", "são", "era", "éramos", "eram", "fui", "foi", "fomos", "foram",
    "fora", "fôramos", "seja", "sejamos", "sejam", "fosse", "fôssemos", "fossem", "for",
    "formos", "forem", "serei", "será", "seremos", "serão", "seria", "seríamos", "seriam",
    "tenho", "tem", "temos", "tém", "tinha", "tínhamos", "tinham", "tive", "teve", "tivemos",
    "tiveram", "tivera", "tivéramos", "tenha", "tenhamos", "tenham", "tivesse", "tivéssemos",
    "tivessem", "tiver", "tivermos", "tiverem", "terei", "terá", "teremos", "terão", "teria",
    "teríamos", "teriam",
};

template <std::size_t N>
std::vector<std::string> to_vector(const char* const (&words)[N]) {
  return std::vector<std::string>(std::begin(words), std::end(words));
}

}  // namespace

Result<std::vector<std::string>> builtin_stopwords(std::string_view name) {
  if (name == "english") return to_vector(kEnglish);
  if (name == "portuguese") return to_vector(kPortuguese);
  return Status::invalid_argument("unknown stopword list '" + std::string(name) +
                                  "': expected one of " + kStopwordListNames +
                                  ", or an iterable of str");
}

StopwordSet::StopwordSet(const std::vector<std::string>& entries) {
  words_.reserve(entries.size());
  for (const std::string& entry : entries) words_.push_back(casefold(entry));
  std::sort(words_.begin(), words_.end());
  words_.erase(std::unique(words_.begin(), words_.end()), words_.end());
  if (words_.empty()) return;
  min_size_ = words_.front().size();
  max_size_ = 0;
  for (const std::string& word : words_) {
    set_.insert(word);
    min_size_ = std::min(min_size_, word.size());
    max_size_ = std::max(max_size_, word.size());
  }
}

}  // namespace tomes::analysis
