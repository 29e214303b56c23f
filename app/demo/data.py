"""Static material for the demo organisation: names, departments, offices, bio fragments.

Everything here is a tuple (ordered, never a set) so that a seeded `random.Random` picking
from it always gives the same result. `app.demo.people` assembles people from these pieces.
"""

from __future__ import annotations

# --- Names -------------------------------------------------------------------------------
# Given names and family names by naming culture ("given, given | family, family"), so most
# people get a pair that belongs together ("Aoife Byrne", "Thanh Nguyễn"); a few get a mixed
# pair, as in real life. Family names are the forms used for every gender (no "-ska/-ski").
_NAMES = {
    "english": "Oliver, Amelia, Harry, Chloe, James, Emily, Jack, Sophie, Ethan, Hannah, Noah, "
               "Grace, Charlotte, Tom, Rebecca, Daniel, Lucy, Sam, Olivia, Ben, Megan, Alex | "
               "Smith, Taylor, Walker, Clarke, Hughes, Bennett, Foster, Mitchell, Reid, Carter, "
               "Brooks, Ellis, Harrison, Morgan, Palmer, Shaw, Wright, Cooper, Price",
    "irish": "Aoife, Siobhán, Ciarán, Niamh, Seán, Róisín, Darragh, Saoirse | Byrne, O'Brien, "
             "Murphy, Kavanagh, Doyle, Gallagher, McCarthy",
    "german": "Lukas, Lena, Jonas, Anna, Felix, Mia, Jürgen, Jörg, Zoë, Maximilian, Katrin, "
              "Stefan, Julia, Tobias, Leonie, Moritz | Müller, Schneider, Becker, Hoffmann, "
              "Schäfer, Krüger, Wagner, Weiß, Fischer, Koch, Richter, Braun, Zimmermann, Vogel",
    "dutch": "Daan, Sanne, Bram, Eline, Joost, Fleur | de Vries, van der Berg, Jansen, Bakker, "
             "Visser, de Jong",
    "nordic": "Søren, Ingrid, Björn, Åsa, Freya, Mikkel, Astrid, Lars | Andersen, Lindqvist, "
              "Nielsen, Håkansson, Johansson, Berg",
    "polish": "Łukasz, Agnieszka, Wojciech, Małgorzata, Piotr, Zofia, Katarzyna, Marek | Nowak, "
              "Wójcik, Kowalczyk, Woźniak, Mazur, Krawczyk, Zając",
    "french": "Chloé, Mathéo, Léa, Hélène, Théo, Amélie, Benoît | Dubois, Lefèvre, Moreau, "
              "Girard, Rousseau, Faure",
    "italian": "Giulia, Lorenzo, Francesca, Matteo, Chiara, Niccolò | Rossi, Bianchi, Esposito, "
               "Ricci, Romano, Colombo",
    "spanish": "José, María, Ana, Javier, Lucía, Sofía, Mateo, Valentina, Andrés, Camila, "
               "Diego, Carmen, Pablo, Elena, Alejandro, Marta, Ignacio | López, García, "
               "Fernández, Martínez, Rodríguez, Gómez, Herrera, Castillo, Núñez, Sánchez, "
               "Jiménez, Ramírez, Torres, Vargas, Morales, Ortega",
    "portuguese": "João, Inês, Gonçalo, Beatriz, Thiago, Larissa, Rafael, Vitória, Luís, "
                  "Mariana, Pedro, Gabriela, Lucas, Fernanda, Tiago, Juliana, Caio | Silva, "
                  "Santos, Oliveira, Gonçalves, Pereira, Araújo, Magalhães, Conceição, Costa, "
                  "Ferreira, Rodrigues, Almeida, Carvalho, Ribeiro, Barbosa, Sousa",
    "indian": "Priya, Arjun, Ananya, Rohan, Kavya, Vikram, Aditi, Siddharth, Meera, Rahul, "
              "Lakshmi, Aarav, Divya, Karthik, Neha, Sanjay, Pooja, Varun, Shreya, Amit, Deepa, "
              "Nikhil, Ishaan, Sneha, Harish, Anjali | Sharma, Iyer, Patel, Reddy, Nair, Gupta, "
              "Krishnan, Banerjee, Menon, Rao, Joshi, Desai, Kulkarni, Pillai, Mukherjee, Singh, "
              "Agarwal, Bhat, Shetty, Kapoor, Chatterjee, Mehta",
    "chinese": "Wei, Mei, Jun, Xiaoling, Hao, Yan, Zhiwei, Jing, Lei, Xin, Yifan, Ruoxi | Wang, "
               "Chen, Zhang, Liu, Huang, Zhou, Li, Wu, Lin, Tan, Lim, Ng",
    "japanese": "Haruto, Yuki, Sakura, Ren, Aiko, Kenji | Tanaka, Sato, Yamamoto, Suzuki, Ito",
    "korean": "Min-jun, Seo-yeon, Ji-ho, Ha-eun, Jae-won | Kim, Park, Choi, Jung, Kang",
    "vietnamese": "Thanh, Linh, Minh, Hương, Quang, Thảo | Nguyễn, Trần, Phạm, Lê, Hoàng, Võ",
    "filipino": "Maria Clara, Rizal, Jose Miguel, Angelica, Paolo, Bea | Santos, Reyes, "
                "dela Cruz, Bautista, Mendoza",
    "west_african": "Chidi, Ngozi, Oluwaseun, Amara, Emeka, Folake | Okafor, Adeyemi, Eze, "
                    "Okonkwo, Balogun",
    "ghanaian": "Kwame, Abena, Kofi, Ama, Yaw | Mensah, Boateng, Asante, Owusu",
    "east_african": "Wanjiru, Otieno, Achieng, Baraka, Amani | Mwangi, Kamau, Odhiambo, Njoroge",
    "southern_african": "Tendai, Thabo, Zanele, Sipho, Lerato | Dlamini, Nkosi, Moyo, Ndlovu",
    "arabic": "Omar, Layla, Yusuf, Fatima, Karim, Noor, Rania, Tariq | Haddad, Khalil, "
              "Al-Amin, Nasser, Mansour, Saleh",
    "turkish": "Emre, Elif, Zeynep, Mehmet, Ayşe, Burak | Yılmaz, Demir, Şahin, Çelik, Öztürk",
    "greek": "Nikos, Eleni, Dimitra, Giorgos, Sofia | Georgiou, Christodoulou, Antoniou",
    "romanian_ukrainian": "Andrei, Ioana, Oksana, Dmytro, Mihai, Iryna | Popescu, Ionescu, "
                          "Shevchenko, Kovalenko, Bondarenko",
}


def _split(names: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in names.split(","))


NAME_CULTURES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    culture: (_split(names.split("|")[0]), _split(names.split("|")[1]))
    for culture, names in _NAMES.items()
}

# --- Departments -------------------------------------------------------------------------
# name -> (share in percent, titles by seniority tier). Tiers: 0 junior/associate, 1 mid,
# 2 senior, 3 lead/staff/manager, 4 head/director.
TIER_WEIGHTS = (17, 35, 28, 14, 6)

DEPARTMENTS: dict[str, tuple[int, tuple[tuple[str, ...], ...]]] = {
    "Engineering": (30, (
        ("Junior Software Engineer", "Graduate Software Engineer", "Associate QA Engineer"),
        ("Software Engineer", "Backend Engineer", "Frontend Engineer", "Mobile Engineer",
         "Site Reliability Engineer", "Platform Engineer", "QA Engineer"),
        ("Senior Software Engineer", "Senior Backend Engineer", "Senior Frontend Engineer",
         "Senior Mobile Engineer", "Senior Site Reliability Engineer"),
        ("Staff Software Engineer", "Engineering Manager", "Tech Lead, Payments",
         "Principal Engineer"),
        ("Director of Engineering", "Head of Platform", "VP of Engineering"),
    )),
    "Data & Analytics": (8, (
        ("Junior Data Analyst", "Associate Data Engineer"),
        ("Data Analyst", "Data Engineer", "Analytics Engineer", "Data Scientist"),
        ("Senior Data Analyst", "Senior Data Engineer", "Senior Data Scientist",
         "Machine Learning Engineer"),
        ("Lead Data Scientist", "Analytics Manager", "Staff Data Engineer"),
        ("Head of Data", "Director of Analytics"),
    )),
    "Product": (6, (
        ("Associate Product Manager", "Product Analyst"),
        ("Product Manager", "Technical Product Manager", "Product Owner"),
        ("Senior Product Manager", "Senior Technical Product Manager"),
        ("Group Product Manager", "Principal Product Manager"),
        ("Head of Product", "VP of Product"),
    )),
    "Design": (5, (
        ("Junior Product Designer", "Design Intern"),
        ("Product Designer", "UX Researcher", "Content Designer", "Visual Designer"),
        ("Senior Product Designer", "Senior UX Researcher", "Senior Content Designer"),
        ("Lead Designer", "Design Manager", "Design Systems Lead"),
        ("Head of Design",),
    )),
    "Marketing": (7, (
        ("Marketing Coordinator", "Junior Content Writer"),
        ("Content Marketing Manager", "Growth Marketer", "SEO Specialist", "Brand Designer",
         "Events Manager"),
        ("Senior Product Marketing Manager", "Senior Growth Marketer", "Senior Copywriter"),
        ("Marketing Lead, EMEA", "Brand Manager", "Demand Generation Manager"),
        ("Head of Marketing", "Director of Brand"),
    )),
    "Sales": (11, (
        ("Sales Development Representative", "Business Development Associate"),
        ("Account Executive", "Sales Engineer", "Partnerships Manager"),
        ("Senior Account Executive", "Senior Sales Engineer", "Enterprise Account Executive"),
        ("Sales Manager, DACH", "Regional Sales Lead", "Key Account Manager"),
        ("Head of Sales", "VP of Sales"),
    )),
    "Customer Success": (9, (
        ("Support Specialist", "Customer Support Associate"),
        ("Customer Success Manager", "Technical Support Engineer", "Onboarding Specialist"),
        ("Senior Customer Success Manager", "Senior Support Engineer"),
        ("Support Team Lead", "Customer Success Lead", "Support Operations Manager"),
        ("Head of Customer Success", "Director of Support"),
    )),
    "Finance": (5, (
        ("Finance Associate", "Accounts Payable Specialist"),
        ("Financial Analyst", "Accountant", "Payroll Specialist"),
        ("Senior Financial Analyst", "Senior Accountant", "Tax Specialist"),
        ("Finance Manager", "FP&A Lead", "Financial Controller"),
        ("Head of Finance", "CFO"),
    )),
    "People & Culture": (5, (
        ("People Coordinator", "Recruiting Coordinator"),
        ("Talent Acquisition Partner", "People Partner", "Learning & Development Specialist"),
        ("Senior Talent Acquisition Partner", "Senior People Partner", "Total Rewards Specialist"),
        ("People Operations Lead", "Talent Acquisition Manager", "L&D Lead"),
        ("Head of People", "Chief People Officer"),
    )),
    "Legal": (2, (
        ("Legal Assistant", "Paralegal"),
        ("Legal Counsel", "Contracts Manager", "Privacy Analyst"),
        ("Senior Legal Counsel", "Data Protection Officer"),
        ("Lead Counsel, Commercial", "Compliance Manager"),
        ("General Counsel",),
    )),
    "Operations": (6, (
        ("Operations Associate", "Office Coordinator"),
        ("Operations Analyst", "Procurement Specialist", "Workplace Manager",
         "Business Operations Manager"),
        ("Senior Operations Analyst", "Senior Project Manager", "Programme Manager"),
        ("Operations Lead", "Revenue Operations Manager", "Chief of Staff"),
        ("Head of Operations", "COO"),
    )),
    "IT & Security": (6, (
        ("IT Support Technician", "Junior Security Analyst"),
        ("Systems Administrator", "Security Engineer", "IT Support Engineer",
         "Identity & Access Engineer"),
        ("Senior Security Engineer", "Senior Systems Administrator",
         "Cloud Infrastructure Engineer"),
        ("Security Operations Lead", "IT Manager", "Staff Security Engineer"),
        ("Head of IT", "CISO"),
    )),
}

# --- Offices -----------------------------------------------------------------------------
# (location, IANA time zone, share in percent, naming cultures most common there)
OFFICES: tuple[tuple[str, str, int, tuple[str, ...]], ...] = (
    ("London", "Europe/London", 17,
     ("english", "english", "irish", "indian", "west_african", "french", "italian", "polish")),
    ("Berlin", "Europe/Berlin", 11,
     ("german", "german", "polish", "turkish", "dutch", "nordic", "romanian_ukrainian")),
    ("Lisbon", "Europe/Lisbon", 7, ("portuguese", "portuguese", "spanish", "french")),
    ("New York", "America/New_York", 11,
     ("english", "english", "irish", "spanish", "chinese", "korean", "italian")),
    ("Toronto", "America/Toronto", 6,
     ("english", "french", "chinese", "indian", "filipino", "romanian_ukrainian")),
    ("Austin", "America/Chicago", 6, ("english", "english", "spanish", "indian", "vietnamese")),
    ("São Paulo", "America/Sao_Paulo", 7,
     ("portuguese", "portuguese", "portuguese", "italian", "japanese", "spanish")),
    ("Bangalore", "Asia/Kolkata", 10, ("indian",)),
    ("Singapore", "Asia/Singapore", 6, ("chinese", "chinese", "indian", "filipino", "vietnamese")),
    ("Sydney", "Australia/Sydney", 5, ("english", "english", "chinese", "vietnamese", "greek")),
    ("Remote", "", 14, ()),
)

# Home time zones of remote people, with the naming cultures common there.
REMOTE_ZONES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Europe/Dublin", ("irish",)),
    ("Europe/Madrid", ("spanish",)),
    ("Europe/Paris", ("french",)),
    ("Europe/Rome", ("italian",)),
    ("Europe/Warsaw", ("polish",)),
    ("Europe/Amsterdam", ("dutch",)),
    ("Europe/Stockholm", ("nordic",)),
    ("Europe/Athens", ("greek",)),
    ("Europe/Bucharest", ("romanian_ukrainian",)),
    ("Europe/Istanbul", ("turkish",)),
    ("Asia/Dubai", ("arabic", "indian")),
    ("Africa/Cairo", ("arabic",)),
    ("Africa/Lagos", ("west_african",)),
    ("Africa/Accra", ("ghanaian",)),
    ("Africa/Nairobi", ("east_african",)),
    ("Africa/Johannesburg", ("southern_african", "english")),
    ("America/Denver", ("english",)),
    ("America/Los_Angeles", ("english", "chinese", "korean", "spanish")),
    ("America/Mexico_City", ("spanish",)),
    ("Asia/Manila", ("filipino",)),
    ("Asia/Ho_Chi_Minh", ("vietnamese",)),
    ("Asia/Tokyo", ("japanese",)),
    ("Asia/Seoul", ("korean",)),
    ("Pacific/Auckland", ("english",)),
)

# --- Bio fragments -----------------------------------------------------------------------
# What people work on, by department ("I work on …" / "Most days I'm …").
WORK_TOPICS: dict[str, tuple[str, ...]] = {
    "Engineering": (
        "the payments API", "our mobile app's offline sync", "the CI pipeline",
        "search relevance", "the design system's React components", "our Kubernetes platform",
        "the notifications service", "incident response tooling", "end-to-end test suites",
    ),
    "Data & Analytics": (
        "the data warehouse", "churn prediction models", "our dbt project",
        "self-serve dashboards", "A/B test analysis", "the event tracking plan",
    ),
    "Product": (
        "the onboarding journey", "pricing and packaging", "the roadmap for the admin console",
        "customer discovery interviews", "our integrations marketplace",
    ),
    "Design": (
        "the design system", "usability research for the mobile app", "accessibility audits",
        "the new onboarding flow", "UX writing guidelines",
    ),
    "Marketing": (
        "the company blog", "our webinar programme", "paid acquisition campaigns",
        "the brand refresh", "SEO for the docs site", "customer case studies",
    ),
    "Sales": (
        "enterprise deals in the Nordics", "our mid-market pipeline", "partner channel sales",
        "product demos for new prospects", "renewal negotiations",
    ),
    "Customer Success": (
        "onboarding our biggest customers", "the help centre", "support macros and workflows",
        "quarterly business reviews", "the customer health score",
    ),
    "Finance": (
        "month-end close", "the annual budget", "revenue forecasting", "expense policy",
        "audit preparation", "payroll across six countries",
    ),
    "People & Culture": (
        "hiring for engineering", "our onboarding programme", "the career framework",
        "engagement surveys", "learning budgets", "inclusive hiring practices",
    ),
    "Legal": (
        "customer contracts", "GDPR and privacy requests", "our open-source policy",
        "vendor agreements", "trademark filings",
    ),
    "Operations": (
        "office moves", "vendor management", "our OKR process", "internal tooling",
        "cross-team programmes", "travel and events logistics",
    ),
    "IT & Security": (
        "laptop provisioning", "single sign-on", "security awareness training",
        "our ISO 27001 programme", "endpoint management", "the phishing simulation programme",
    ),
}

# Things people can teach, by department (work skills they are known for).
TEACH_SKILLS: dict[str, tuple[str, ...]] = {
    "Engineering": ("Python", "TypeScript", "Go", "code review", "system design", "Docker",
                    "Kubernetes basics", "Git beyond commit and push", "writing tests",
                    "debugging production issues", "SQL performance tuning"),
    "Data & Analytics": ("SQL", "pandas", "dbt", "statistics for A/B tests", "Looker",
                         "data visualisation", "machine learning basics", "spreadsheet modelling"),
    "Product": ("writing product specs", "roadmapping", "customer interviews",
                "prioritisation frameworks", "running discovery"),
    "Design": ("Figma", "user research", "accessibility", "prototyping", "design critique",
               "typography"),
    "Marketing": ("copywriting", "SEO", "social media strategy", "storytelling",
                  "running webinars", "Google Analytics"),
    "Sales": ("negotiation", "cold outreach", "demo skills", "objection handling",
              "account planning"),
    "Customer Success": ("handling difficult conversations", "writing help articles",
                         "de-escalation", "Zendesk workflows", "customer empathy"),
    "Finance": ("Excel", "budgeting", "reading a P&L", "financial modelling",
                "personal finance basics"),
    "People & Culture": ("interviewing", "giving feedback", "coaching", "onboarding new starters",
                         "writing job descriptions"),
    "Legal": ("contract basics", "GDPR essentials", "negotiating terms",
              "plain-language writing"),
    "Operations": ("project management", "process mapping", "OKRs", "Notion", "vendor negotiation"),
    "IT & Security": ("password managers", "threat modelling", "Linux", "networking basics",
                      "spotting phishing", "PowerShell"),
}

# Things anyone might teach or want to learn.
GENERAL_SKILLS: tuple[str, ...] = (
    "public speaking", "presentation design", "time management", "facilitating workshops",
    "Spanish", "German", "Portuguese", "Japanese", "Mandarin", "sign language", "sketchnoting",
    "photography", "guitar", "sourdough baking", "running", "chess", "touch typing",
    "mindfulness", "writing clearly", "managing up", "giving talks at meetups",
)

OPENERS: tuple[str, ...] = (
    "I work on {topic}.",
    "Most days I'm deep in {topic}.",
    "I look after {topic} here.",
    "These days I spend most of my time on {topic}.",
    "I joined to work on {topic} and never left.",
    "My corner of {department} is {topic}.",
)
TEACH_LINES: tuple[str, ...] = (
    "Happy to teach {skill} to anyone who asks.",
    "I can help with {skill} and {skill2}.",
    "Ask me about {skill}; I never get tired of it.",
    "I run a small, informal session on {skill} now and then.",
    "If you're stuck on {skill}, ping me.",
)
LEARN_LINES: tuple[str, ...] = (
    "I'd love to learn {skill}.",
    "Currently trying to get better at {skill}.",
    "Looking for someone to swap lessons in {skill}.",
    "On my list this year: {skill}.",
    "I want to learn {skill} from someone who enjoys it.",
)
EXTRA_LINES: tuple[str, ...] = (
    "Outside work you'll find me {hobby}.",
    "Off the clock I'm usually {hobby}.",
    "Fun fact: I spend my weekends {hobby}.",
)
HOBBIES: tuple[str, ...] = (
    "climbing", "on a bike somewhere", "baking bread", "playing five-a-side football",
    "learning the piano (badly)", "in the garden", "reading sci-fi", "at a board game cafe",
    "hiking with my dog", "swimming in cold water", "making ceramics", "running trail races",
    "cooking food from my grandmother's recipes", "doing crosswords", "birdwatching",
)
LIST_INTROS: tuple[str, ...] = (
    "Things I can help with:", "Ask me about:", "Happy to pair on:", "I can teach:",
)
