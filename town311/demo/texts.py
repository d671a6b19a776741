"""What people write in the demo town: residents' descriptions and answers,
and staff replies and notes, in the plain voice of a neighbour.

Each function takes the random generator, so the same seed always writes
the same words.
"""

import random
from datetime import datetime

DESCRIPTIONS = {
    "pothole": [
        "Deep pothole in the right lane, cars are swerving around it.",
        "Pothole right by the curb, about a foot across and filling with water.",
        "Big hole next to the storm drain. It gets worse every time it rains.",
        "Two potholes back to back at the stop sign. Hit them both this morning.",
        "The patch from last year has come apart and left a hole.",
        "Pothole in the crosswalk, kids walk through here to school.",
    ],
    "street-cleaning": [
        "Broken glass all over the street after a fender bender.",
        "Gravel washed across the road from the construction site.",
        "Mud tracked across the whole block by the trucks.",
        "Lots of litter blown against the curb along this stretch.",
        "Sand left over from winter is piling up in the bike lane.",
    ],
    "sidewalk-damage": [
        "Sidewalk slab heaved up by a tree root, my neighbour tripped on it.",
        "Big crack in the sidewalk with a two inch lip.",
        "Piece of sidewalk missing in front of the house.",
        "Curb ramp is crumbling at the corner, hard to get a stroller over it.",
    ],
    "snow-ice": [
        "Our street still hasn't been plowed.",
        "Solid ice on the hill, cars are sliding at the stop sign.",
        "Plow left a huge ridge across the end of our driveway.",
        "The cul-de-sac got skipped again.",
        "Snow piled over the drain and the meltwater is freezing across the road.",
    ],
    "street-cut-inspection": [
        "Contractor finished the gas service patch, ready for inspection.",
        "Fiber crew restored the trench, please inspect.",
        "Water service repair patch ready for a final look.",
    ],
    "missed-pickup": [
        "Our cart was out at 6:30 and the truck skipped us.",
        "Whole side of the street got missed today.",
        "Recycling wasn't picked up this week.",
        "Truck came by but didn't empty our cart.",
        "Yard waste cart still full, the rest of the block got picked up.",
    ],
    "bulk-pickup": [
        "Old couch and a chair at the curb, please schedule a pickup.",
        "Moving out, need a mattress and box spring picked up.",
        "Broken washer at the curb.",
        "Old TV and a dresser by the alley.",
    ],
    "leaf-collection": [
        "Leaf bags at the curb, about 15 of them.",
        "Big leaf pile in the gutter ready for the vacuum truck.",
        "Bags have been out for a week, still waiting on the leaf crew.",
        "Raked everything to the curb like the flyer said.",
    ],
    "illegal-dumping": [
        "Someone dumped a pile of tires in the alley.",
        "Bags of trash left at the end of the dead end.",
        "Old mattress and carpet dumped by the ditch.",
        "Construction debris dumped on the empty lot.",
    ],
    "park-maintenance": [
        "Trash cans by the shelter are overflowing.",
        "Bench slat is broken, someone could get hurt.",
        "Swing seat is cracked on the big swings.",
        "Water fountain has been running nonstop.",
        "Restroom door won't lock.",
    ],
    "tree-trimming": [
        "Branches hanging low over the sidewalk, have to duck to get by.",
        "Tree is growing into the streetlight.",
        "Limbs are blocking the stop sign for drivers.",
        "Dead branches over the street in front of our house.",
    ],
    "fallen-tree": [
        "Big limb came down in the storm and is across half the street.",
        "Whole tree down in the boulevard.",
        "Branch hanging by a thread over the sidewalk.",
        "Tree fell across the bike path.",
    ],
    "mowing-work-order": [
        "Median needs mowing before the parade route.",
        "Town lot on the corner is overgrown.",
        "Detention pond banks need a cut.",
    ],
    "water-leak": [
        "Water bubbling up through a crack in the street.",
        "Water running down the gutter for two days, no rain.",
        "Valve box in the sidewalk is overflowing.",
        "Wet spot in the road that never dries, getting bigger.",
    ],
    "sewer-backup": [
        "Sewage coming up through the floor drain in the basement.",
        "Manhole cover in the street is overflowing.",
        "Strong sewer smell and water coming up in the yard.",
    ],
    "storm-drain": [
        "Drain at the corner is covered in leaves, water is ponding.",
        "Storm drain grate is clogged, the intersection floods when it rains.",
        "Water stands in the gutter for days after rain.",
    ],
    "meter-check": [
        "Reading looks too high compared to last month, please recheck.",
        "Meter lid cracked, customer reports meter spinning with taps off.",
        "Remote reader not reporting.",
    ],
    "streetlight-out": [
        "Streetlight out in front of our house.",
        "Light flickers on and off all night.",
        "Streetlight has been on all day for a week.",
        "Two lights in a row out on this block, it's really dark.",
        "Light at the bus stop is out.",
    ],
    "traffic-signal": [
        "Signal is stuck on red for the side street.",
        "Traffic light is flashing red in all directions.",
        "Left turn arrow never comes on.",
        "One of the signal heads is turned the wrong way after the wind.",
    ],
    "street-sign": [
        "Stop sign knocked over.",
        "Street name sign is missing from the pole.",
        "Speed limit sign is bent and facing the wrong way.",
        "Yield sign is so faded you can't read it.",
    ],
    "tall-grass": [
        "Vacant house, grass is knee high.",
        "Weeds are taller than the fence at the corner lot.",
        "Yard hasn't been mowed all summer.",
        "Empty lot is overgrown and full of weeds.",
    ],
    "abandoned-vehicle": [
        "Car with flat tires hasn't moved in weeks.",
        "Old pickup parked on the street, covered in leaves.",
        "Van with no plates parked in front of the park.",
        "Car has been sitting here since before the last street sweep.",
    ],
    "graffiti": [
        "Tagging on the underpass wall.",
        "Spray paint on the back of the stop sign.",
        "Graffiti on the fence along the alley.",
        "Someone painted all over the bus shelter.",
    ],
    "stray-animal": [
        "Friendly dog with no collar wandering the block.",
        "Loose dog chasing people on bikes.",
        "Two cows got out and are in the road.",
        "Cat hanging around, looks hurt.",
    ],
    "dead-animal": [
        "Dead deer on the shoulder.",
        "Dead raccoon in the street.",
        "Dead possum on the sidewalk.",
        "Dead cat in the gutter.",
    ],
}

# What residents ask when no service fits, and the department it turns out
# to be for; None when Customer Service answers it themselves.
GENERAL_QUESTIONS = [
    ("There's a big hole in the road by the school, not sure who to call.", "streets"),
    ("Huge pile of gravel spilled at the intersection.", "streets"),
    ("The light on the park path is out, is that you?", "parks-forestry"),
    ("Who do I talk to about a dead tree on the boulevard?", "parks-forestry"),
    ("Neighbour's trash has been blowing into the street for days.", "sanitation"),
    ("Is there a way to get a new recycling cart?", "sanitation"),
    (
        "Water running across the road from somewhere, nobody knows where.",
        "water-sewer",
    ),
    ("The stoplight at the corner seems stuck on red.", "traffic-lighting"),
    ("When is the next brush pickup in our area?", None),
    ("How do I get a permit for a block party?", None),
]

EXTRAS = [
    "",
    "",
    "",
    " Thanks!",
    " Been like this for about a week.",
    " Please take a look when you can.",
    " It's getting worse.",
    " Thank you for all you do.",
    " Happy to answer any questions.",
]

DUPLICATE_DESCRIPTIONS = [
    "Someone may have reported this already, but it's still there.",
    "Same spot my neighbour called about. Still not fixed.",
    "Reporting this again, it's right in front of us.",
    "Not sure if you know about this one yet.",
]

FIRST_NAMES = [
    "Ada",
    "Beau",
    "Carmen",
    "Dmitri",
    "Esme",
    "Faisal",
    "Greta",
    "Hollis",
    "Ines",
    "Jasper",
    "Kiri",
    "Lonnie",
    "Mabel",
    "Nico",
    "Opal",
    "Pieter",
    "Quinn",
    "Rhoda",
    "Silas",
    "Tamsin",
    "Ulla",
    "Vern",
    "Winona",
    "Xavi",
    "Yusuf",
    "Zelda",
]
LAST_NAMES = [
    "Abernathy",
    "Birchfield",
    "Coldwater",
    "Dunmore",
    "Eskildsen",
    "Fairweather",
    "Gallowglass",
    "Hartsock",
    "Isaksen",
    "Juarez-Lind",
    "Kettleman",
    "Larrabee",
    "Marchetti",
    "Northcutt",
    "Oyelaran",
    "Pettibone",
    "Quarles",
    "Rasmussen-Ode",
    "Stallworth",
    "Thorvaldsen",
    "Umberger",
    "Vanderzee",
    "Whitlock",
    "Yablonski",
]

ACKNOWLEDGMENTS = [
    "Thanks for letting us know! We've got this on our list and will be out {when}.",
    "Got it, thanks. A crew will take a look {when}.",
    "Thanks for the heads-up. We'll have a crew there {when}.",
    "We have this one. Thanks for taking the time to report it.",
    "Thanks! We're on it and will post an update here once it's taken care of.",
    "Appreciate you reporting this. We'll swing by {when} and see what it needs.",
]
FIRST_REPLIES = [
    "Hi, thanks for writing in. We'll get someone out there {when}.",
    "Thanks for the report. We know this spot and we'll be there {when}.",
    "Thanks for flagging this. We've put it on the schedule and will keep you "
    "posted here.",
    "Good catch, thank you. Somebody will be by {when}.",
]
UPDATES = [
    "Quick update: we're waiting on a part, and should be back out {when}.",
    "Still on our list. The crew got pulled to another job but will be back {when}.",
    "We took a first look. It needs a bigger crew, so we've scheduled it for {when}.",
    "Thanks for your patience. This is next in line; expect us {when}.",
]
STARTS_SAME_DAY = [
    "We have you on our schedule today, so you should be squared away by {time}.",
    "A crew is headed over now. Should be done by {time}.",
    "We're out there now and expect to wrap up by {time}.",
    "Working on it today. Give us until about {time}.",
]
STARTS_LATER = [
    "We've started on this. The crew will finish up {when}.",
    "Work is underway. We'll let you know here when it's done.",
    "Got a crew on it. It's a bigger job, so we expect to finish {when}.",
]

FIXED = {
    "pothole": [
        "Patched it this morning. Thanks for helping keep Riverton's streets in shape!",
        "Filled with hot mix and rolled. Let us know if it sinks again.",
    ],
    "street-cleaning": ["The sweeper came through and it's all cleaned up."],
    "sidewalk-damage": [
        "We ground down the lip so it's safe to walk on. The slab will be "
        "replaced in the spring program.",
        "Replaced the broken panel. Thanks for reporting it.",
    ],
    "snow-ice": [
        "Plowed and salted. Sorry it took a while, it was a long night out there.",
        "Salt truck went through this afternoon.",
    ],
    "missed-pickup": [
        "The driver went back and emptied it. Sorry we missed you!",
        "All picked up now. Thanks for your patience.",
    ],
    "bulk-pickup": ["Picked up today. Thanks for setting it out at the curb."],
    "leaf-collection": ["Leaf crew picked up everything on your block today."],
    "illegal-dumping": [
        "Cleaned up and hauled away. If you see who dumped it, please let us know.",
    ],
    "park-maintenance": ["Fixed and ready for visitors again. Thanks!"],
    "tree-trimming": [
        "Trimmed it back to a safe height. Thanks for looking out for your "
        "street trees."
    ],
    "fallen-tree": [
        "Cut up and cleared. The stump will be ground out later this season.",
        "Street is clear. We chipped the brush on site.",
    ],
    "water-leak": [
        "Found a cracked service line and repaired it. The patch in the road "
        "will be finished next week.",
        "Tightened a leaking valve. Thanks for spotting it!",
    ],
    "sewer-backup": ["Jetted the main and it's flowing freely again."],
    "storm-drain": ["Cleared the grate and flushed the inlet."],
    "streetlight-out": [
        "Put in a new LED head, the light is back on.",
        "Replaced the photocell, so it should only come on at night now.",
    ],
    "traffic-signal": ["Signal tech reset the controller; it's cycling normally."],
    "street-sign": ["New sign is up. Thanks for reporting it."],
    "tall-grass": [
        "The owner mowed after our notice. We'll keep an eye on it.",
        "We mowed it and billed the property owner.",
    ],
    "abandoned-vehicle": [
        "The owner moved it after we tagged it.",
        "Towed today after the 72-hour notice ran out.",
    ],
    "graffiti": ["Painted over it this afternoon."],
    "stray-animal": [
        "We picked the animal up and it's safe at the shelter. If it's yours, call "
        "(402) 555-0116.",
        "Found the owner and the dog is back home.",
    ],
    "dead-animal": ["Picked up and removed. Thanks for letting us know."],
}
FIXED_ANYWAY = [
    "All taken care of. Thanks for the report!",
    "Done! Thanks for helping us keep Riverton looking good.",
    "This is fixed. If you spot anything else, let us know.",
]
NO_ACTION = [
    "We took a look and everything is working as it should, so there's nothing "
    "for us to do this time. Thanks for keeping an eye out.",
    "We checked and this one is on private property, so it's up to the owner. "
    "We left them a note.",
    "Looks like this was already taken care of before we got there.",
]
NOT_LOCATED = [
    "We drove the block twice but couldn't find it. If it's still there, reply "
    "with a nearby house number and we'll head back out.",
    "We couldn't find this one. A photo or a cross street would help us.",
]
NO_RESPONSE = [
    "We haven't heard back, so we're closing this for now. Reply any time and "
    "we'll pick it back up.",
]
REFERRALS = [
    "This one belongs to {agency}, so we've passed it along to them. You can "
    "reach them at {phone}.",
    "Turns out this is {agency}'s to fix. We've sent them the details.",
]
REASSIGN_REASONS = [
    "This is a job for {department}, so we've passed it over to them.",
    "Moving this to {department}; they handle these.",
    "Sending this to {department}, who can get it fixed.",
]
REOPEN_REASONS = [
    "It's still there.",
    "The patch already washed out.",
    "It happened again two days later.",
    "Not fixed, sorry to say.",
    "Came back after the rain.",
]
REOPEN_BY_STAFF = [
    "Crew reports the fix didn't hold; reopening.",
    "Resident called to say it's back; reopening.",
]
SECOND_CLOSES = [
    "Went back out and fixed it properly this time. Sorry about that!",
    "Second visit done, should hold now. Thanks for sticking with us.",
]
QUESTIONS = [
    "Could you tell us the nearest house number or cross street? We want to be "
    "sure we find the right spot.",
    "Is it in the driving lane or along the curb?",
    "Could you send a photo? It helps us bring the right equipment.",
    "Is it still there today? We want to make sure before we send a truck.",
]
ANSWERS = [
    "It's right in front of the blue house, near the corner.",
    "Across from the school entrance.",
    "By the mailbox at the end of the block.",
    "Yes, still there this morning.",
    "Middle of the lane, just past the stop sign.",
]
NOTES = [
    "Added to Tuesday's route.",
    "Called the resident, left a voicemail.",
    "Crew 2 will take it with the other two on this block.",
    "Booked with the north crew.",
    "Parts on order, should arrive next week.",
    "Checked the map: town right-of-way, ours to fix.",
    "Talked to the resident, they're happy with the plan.",
    "Photo shows it's bigger than described; bring the larger crew.",
    "Same block as a repair last month; check whether the fix failed.",
]


def description(rng: random.Random, service_code: str) -> str:
    return rng.choice(DESCRIPTIONS[service_code]) + rng.choice(EXTRAS)


def general_question(rng: random.Random) -> tuple[str, str | None]:
    """A question for Customer Service, and the department it belongs to."""
    text, department = rng.choice(GENERAL_QUESTIONS)
    return text + rng.choice(EXTRAS), department


def duplicate_description(rng: random.Random, service_code: str) -> str:
    return (
        f"{rng.choice(DUPLICATE_DESCRIPTIONS)} {rng.choice(DESCRIPTIONS[service_code])}"
    )


def reporter(rng: random.Random) -> tuple[str, str, str]:
    """An invented resident's name, e-mail on a reserved domain, and phone."""
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    email = f"{first}.{last}{rng.randint(1, 99)}@example.net".lower()
    phone = f"(402) 555-01{rng.randint(0, 99):02d}"
    return f"{first} {last}", email, phone


def clock(moment: datetime) -> str:
    """“3:30 PM”, rounded up to the next half hour, as people promise times."""
    minutes = moment.hour * 60 + moment.minute
    minutes = min(-(-minutes // 30) * 30, 23 * 60 + 30)
    hour, minute = divmod(minutes, 60)
    return f"{(hour - 1) % 12 + 1}:{minute:02d} {'AM' if hour < 12 else 'PM'}"


def when(now: datetime, visit: datetime) -> str:
    """How people say when they will come by: “today”, “tomorrow”, “on
    Thursday”. Both are local times."""
    days = (visit.date() - now.date()).days
    if days <= 0:
        return "today"

    if days == 1:
        return "tomorrow"

    if days < 7:
        return f"on {visit:%A}"

    if days < 14:
        return "next week"

    return "in the next few weeks"


def acknowledgment(rng: random.Random, now: datetime, visit: datetime) -> str:
    return rng.choice(ACKNOWLEDGMENTS).format(when=when(now, visit))


def first_reply(rng: random.Random, now: datetime, visit: datetime) -> str:
    return rng.choice(FIRST_REPLIES).format(when=when(now, visit))


def update(rng: random.Random, now: datetime, visit: datetime) -> str:
    return rng.choice(UPDATES).format(when=when(now, visit))


def start_work(rng: random.Random, now: datetime, finish: datetime) -> str:
    """What a crew says as it starts; `now` and `finish` are local times."""
    if finish.date() == now.date():
        return rng.choice(STARTS_SAME_DAY).format(time=clock(finish))

    return rng.choice(STARTS_LATER).format(when=when(now, finish))


def fixed(rng: random.Random, service_code: str) -> str:
    choices = FIXED.get(service_code)
    if choices and rng.random() < 0.75:
        return rng.choice(choices)

    return rng.choice(FIXED_ANYWAY)


def referral(rng: random.Random, agency_name: str, phone: str) -> str:
    return rng.choice(REFERRALS).format(agency=agency_name, phone=phone)


def reassign_reason(rng: random.Random, department_name: str) -> str:
    return rng.choice(REASSIGN_REASONS).format(department=department_name)
