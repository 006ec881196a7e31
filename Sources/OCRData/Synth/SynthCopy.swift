/// What a text line does on the poster; it decides the line's size, place and font.
enum SynthRole: String, Sendable {
    case title, subtitle, body, footer, badge
}

/// One line of poster copy before it is placed.
struct SynthCopyLine: Sendable {
    var role: SynthRole
    var text: String
}

/// The words on a poster: a genre (sale banner, book cover, movie poster,
/// shop sign, event flyer, greeting title) filled from word lists and phrase
/// templates. Everything is printable ASCII, so MARIO's 95 charseg classes
/// cover every character drawn.
struct SynthCopy: Sendable {
    var genre: String
    var lines: [SynthCopyLine]

    /// Copy with `count` lines in all (1...8), at most one of them a badge
    /// (none when `badges` is false, for plain posters).
    static func make(count: Int, badges: Bool = true, random: inout SynthRandom) -> SynthCopy {
        let genre = random.pick(SynthWords.genres)
        let title = titleText(genre, &random)
        var lines: [SynthCopyLine] = []
        // Long titles break over two lines, as posters set them.
        if count >= 2, title.count > 14, title.contains(" "), random.chance(0.7) {
            let (first, second) = split(title)
            lines = [SynthCopyLine(role: .title, text: first), SynthCopyLine(role: .title, text: second)]
        } else {
            lines = [SynthCopyLine(role: .title, text: title)]
        }
        var pool = secondaryLines(genre, &random)
        var badge: String? = nil
        if badges, count >= 2, random.chance(0.35) { badge = badgeText(genre, &random) }
        let wanted = count - lines.count - (badge == nil ? 0 : 1)
        var taken = 0
        while taken < wanted {
            if pool.isEmpty { pool = [SynthCopyLine(role: .body, text: filler(&random))] }
            let line = pool.removeFirst()
            if lines.contains(where: { $0.text == line.text }) { continue }
            lines.append(line)
            taken += 1
        }
        // Footers go last; the rest keep their order.
        let footers = lines.filter { $0.role == .footer }
        lines = lines.filter { $0.role != .footer } + footers
        if let badge { lines.append(SynthCopyLine(role: .badge, text: badge)) }
        return SynthCopy(genre: genre, lines: lines)
    }

    /// Splits at the space nearest the middle.
    static func split(_ text: String) -> (String, String) {
        let characters = Array(text)
        let middle = characters.count / 2
        var best = -1
        for (i, c) in characters.enumerated() where c == " " {
            if best < 0 || abs(i - middle) < abs(best - middle) { best = i }
        }
        return (String(characters[..<best]), String(characters[(best + 1)...]))
    }

    private static func titleText(_ genre: String, _ r: inout SynthRandom) -> String {
        let w = SynthWords.self
        switch genre {
        case "sale":
            return r.pick(["\(r.pick(w.seasons)) Sale", "Big Sale", "Flash Sale", "Mega Sale", "Clearance",
                           "\(r.int(2...7) * 10)% Off", "Black Friday", "Final Sale", "Half Price"])
        case "book":
            return r.pick(["The \(r.pick(w.adjectives)) \(r.pick(w.nouns))", "\(r.pick(w.nouns)) and \(r.pick(w.nouns))",
                           "A \(r.pick(w.nouns)) in \(r.pick(w.places))", "The \(r.pick(w.nouns)) Keeper",
                           "Letters from \(r.pick(w.places))"])
        case "movie":
            return r.pick(["\(r.pick(w.adjectives)) \(r.pick(w.nouns))", "Return to \(r.pick(w.places))",
                           "Beyond the \(r.pick(w.nouns))", "The Last \(r.pick(w.nouns))", "\(r.pick(w.nouns)) Rising",
                           "Night of the \(r.pick(w.nouns))"])
        case "shop":
            return r.pick(["\(r.pick(w.firstNames))'s \(r.pick(w.shops))", "The \(r.pick(w.adjectives)) \(r.pick(w.shops))",
                           "\(r.pick(w.places)) \(r.pick(w.shops))", "\(r.pick(w.shops)) & Co."])
        case "event":
            return r.pick(["\(r.pick(w.places)) \(r.pick(w.events))", r.pick(w.events), "\(r.pick(w.seasons)) \(r.pick(w.events))",
                           "Live at the \(r.pick(w.venues))"])
        default:
            return r.pick(w.greetings)
        }
    }

    private static func secondaryLines(_ genre: String, _ r: inout SynthRandom) -> [SynthCopyLine] {
        let w = SynthWords.self
        let date = "\(r.pick(w.months)) \(r.int(1...28))"
        var lines: [SynthCopyLine]
        switch genre {
        case "sale":
            lines = [
                .init(role: .subtitle, text: r.pick(["Up to \(r.int(2...7) * 10)% Off", "Everything Must Go", "Buy 1 Get 1 Free",
                                                     "Limited Time Only", "While Stocks Last", "Save Big Today"])),
                .init(role: .body, text: r.pick(["Shoes, Bags & More", "All Summer Styles", "Prices from $\(r.int(5...49)).99",
                                                 "Free Shipping over $\(r.int(3...9) * 10)", "New Arrivals Inside"])),
                .init(role: .body, text: "Use code \(r.pick(w.codes))\(r.int(10...99))"),
                .init(role: .footer, text: r.pick(["Ends \(date)", "Shop Now", "In Store & Online", "www.\(r.pick(w.webWords)).com"])),
            ]
        case "book":
            let author = "\(r.pick(w.firstNames)) \(r.pick(w.lastNames))"
            lines = [
                .init(role: .subtitle, text: r.pick(["A Novel", "Stories", "A Memoir", "Poems", "Book One", "A Mystery"])),
                .init(role: .footer, text: author),
                .init(role: .body, text: r.pick(["Author of \(r.pick(["The", "A"])) \(r.pick(w.nouns))",
                                                 "Winner of the \(r.pick(w.places)) Prize", "Now a Major Film",
                                                 "Second Edition", "With a new afterword"])),
                .init(role: .body, text: r.pick(["\"\(r.pick(w.praise))\"", "Translated by \(r.pick(w.firstNames)) \(r.pick(w.lastNames))"])),
            ]
        case "movie":
            lines = [
                .init(role: .subtitle, text: r.pick(["Coming Soon", "In Theaters \(date)", "Only in Cinemas",
                                                     "Every legend has a beginning", "Some secrets never die",
                                                     "The journey begins", "Based on a True Story"])),
                .init(role: .body, text: "Starring \(r.pick(w.firstNames)) \(r.pick(w.lastNames))"),
                .init(role: .body, text: "and \(r.pick(w.firstNames)) \(r.pick(w.lastNames))"),
                .init(role: .footer, text: "Directed by \(r.pick(w.firstNames)) \(r.pick(w.lastNames))"),
            ]
        case "shop":
            lines = [
                .init(role: .subtitle, text: r.pick(w.shopTaglines)),
                .init(role: .body, text: r.pick(["Open \(r.int(6...10))am - \(r.int(5...11))pm", "Mon - Sat",
                                                 "\(r.int(10...999)) \(r.pick(w.nouns)) Street", "Est. \(r.int(1950...2020))"])),
                .init(role: .body, text: r.pick(w.shopTaglines)),
                .init(role: .footer, text: r.pick(["Call 555-\(r.int(1000...9999))", "www.\(r.pick(w.webWords)).com",
                                                   "Order Online", "Come On In"])),
            ]
        case "event":
            lines = [
                .init(role: .subtitle, text: "\(r.pick(w.weekdays)) \(date)"),
                .init(role: .body, text: r.pick(["Doors \(r.int(5...9)) PM", "Free Entry", "Tickets $\(r.int(5...60))",
                                                 "All Ages Welcome", "Food & Drinks"])),
                .init(role: .body, text: "\(r.pick(w.venues)) Hall, \(r.pick(w.places))"),
                .init(role: .footer, text: r.pick(["www.\(r.pick(w.webWords)).com", "Call 555-\(r.int(1000...9999))",
                                                   "Tickets at the Door"])),
            ]
        default:
            lines = [
                .init(role: .subtitle, text: r.pick(w.greetingSubtitles)),
                .init(role: .body, text: r.pick(w.greetingSubtitles)),
                .init(role: .footer, text: r.pick(["\(r.pick(w.months)) \(r.int(2000...2030))", "With Love", "#\(r.pick(w.webWords))"])),
            ]
        }
        // Shuffle the middle lines a little so line counts below the pool size vary.
        if lines.count > 2, r.chance(0.5) { lines.swapAt(1, 2) }
        return lines
    }

    private static func badgeText(_ genre: String, _ r: inout SynthRandom) -> String {
        switch genre {
        case "sale": return r.pick(["\(r.int(2...7) * 10)% Off", "Sale", "Hot", "New", "Save"])
        case "book": return r.pick(["New", "Book 1", "No. 1", "Award"])
        case "movie": return r.pick(["Soon", "PG-13", "New", "3D"])
        case "shop": return r.pick(["Open", "New", "Since \(r.int(1950...2015))", "Fresh"])
        case "event": return r.pick(["Free", "Live", "New", "Tonight"])
        default: return r.pick(["Hi!", "Yay", "Love", "New"])
        }
    }

    private static func filler(_ r: inout SynthRandom) -> String {
        r.pick(["\(r.pick(SynthWords.adjectives)) \(r.pick(SynthWords.nouns))", "See you there", "Thank you",
                "\(r.pick(SynthWords.weekdays)) only", "Tel 555-\(r.int(1000...9999))"])
    }
}

/// The word lists the templates draw from.
enum SynthWords {
    static let genres = ["sale", "book", "movie", "shop", "event", "greeting"]
    static let adjectives = ["Golden", "Silent", "Hidden", "Last", "Lost", "Wild", "Secret", "Broken", "Midnight", "Crimson",
                             "Endless", "Bright", "Little", "Great", "Northern", "Electric", "Velvet", "Burning", "Quiet",
                             "Final", "Blue", "Iron", "Paper", "Glass", "Modern", "Ancient", "Happy", "Lucky"]
    static let nouns = ["River", "Garden", "Kingdom", "Ocean", "Mountain", "Forest", "City", "Island", "Light", "Shadow",
                        "Dream", "Road", "House", "Star", "Storm", "Fire", "Heart", "Window", "Letter", "Journey",
                        "Empire", "Moon", "Valley", "Harbor", "Machine", "Song", "Tiger", "Bridge"]
    static let firstNames = ["Anna", "James", "Maria", "David", "Laura", "Peter", "Sofia", "Daniel", "Emma", "Lucas",
                             "Grace", "Oliver", "Nora", "Samuel", "Clara", "Henry", "Alice", "Martin", "Rosa", "Leo"]
    static let lastNames = ["Carter", "Bennett", "Hughes", "Moreno", "Fischer", "Walsh", "Turner", "Lambert", "Quinn",
                            "Harper", "Novak", "Reyes", "Palmer", "Sutton", "Blake", "Ellis", "Marsh", "Porter"]
    static let places = ["Paris", "Boston", "Berlin", "Tokyo", "Austin", "Denver", "Lisbon", "Seattle", "Chicago",
                         "Oslo", "Dublin", "Vienna", "Portland", "Madrid", "Brooklyn", "Miami"]
    static let shops = ["Bakery", "Coffee", "Books", "Flowers", "Pizza", "Diner", "Barber", "Market", "Bistro",
                        "Garage", "Tailor", "Records", "Deli", "Tea House", "Gelato", "Bike Shop"]
    static let shopTaglines = ["Fresh Bread Daily", "Open Late", "Hot Coffee", "Free Wi-Fi", "Family Owned",
                               "Handmade with Love", "Best in Town", "Now Open", "Walk-ins Welcome", "Since 1987",
                               "Good Food, Good Mood", "Take Away", "Fresh Flowers Daily", "Vinyl & Cassettes"]
    static let seasons = ["Summer", "Winter", "Spring", "Autumn", "Holiday", "Weekend"]
    static let events = ["Jazz Festival", "Jazz Night", "Live Music", "Art Fair", "Open Mic Night", "Film Festival",
                         "Night Market", "Book Fair", "Beer Garden", "Dance Party", "Food Festival", "Concert"]
    static let venues = ["Grand", "Royal", "Harbor", "Union", "Palace", "Garden", "Civic", "Liberty"]
    static let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                         "October", "November", "December"]
    static let weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    static let codes = ["SAVE", "DEAL", "SHOP", "GET", "VIP"]
    static let webWords = ["shopnow", "bestdeals", "citymusic", "bookclub", "freshbakes", "moviehouse", "goodtimes",
                           "artfair", "myshop", "events"]
    static let praise = ["A triumph", "Simply stunning", "Impossible to put down", "Brilliant", "A modern classic"]
    static let greetings = ["Hello Summer", "Welcome Home", "Happy Birthday", "Good Vibes Only", "Stay Wild",
                            "Think Big", "Make It Happen", "Dream Big", "Happy Holidays", "Thank You", "Coffee Time",
                            "Keep Going", "Hello Spring", "Best Day Ever"]
    static let greetingSubtitles = ["Have a great day", "You are loved", "Enjoy every moment", "Live, laugh, love",
                                    "Made with care", "From all of us", "Cheers to you", "Stay curious"]
}
