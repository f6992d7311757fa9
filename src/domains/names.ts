// Name lists for the scale-test estate generator (seedgen.ts). Mixed origins on purpose, with a
// few non-ASCII names, so that UTF-8 values and sAMAccountName folding get exercised.

export const FIRST_NAMES: readonly string[] = [
  'James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth',
  'William', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen',
  'Christopher', 'Lisa', 'Daniel', 'Nancy', 'Matthew', 'Betty', 'Anthony', 'Margaret', 'Mark', 'Sandra',
  'Donald', 'Ashley', 'Steven', 'Kimberly', 'Paul', 'Emily', 'Andrew', 'Donna', 'Joshua', 'Michelle',
  'Kenneth', 'Carol', 'Kevin', 'Amanda', 'Brian', 'Melissa', 'George', 'Deborah', 'Timothy', 'Stephanie',
  'Ronald', 'Rebecca', 'Jason', 'Laura', 'Edward', 'Sharon', 'Jeffrey', 'Cynthia', 'Ryan', 'Kathleen',
  'Jacob', 'Amy', 'Gary', 'Angela', 'Nicholas', 'Shirley', 'Eric', 'Anna', 'Jonathan', 'Brenda',
  'Stephen', 'Pamela', 'Larry', 'Emma', 'Justin', 'Nicole', 'Scott', 'Helen', 'Brandon', 'Samantha',
  'Benjamin', 'Katherine', 'Samuel', 'Christine', 'Gregory', 'Debra', 'Alexander', 'Rachel', 'Patrick', 'Carolyn',
  'Frank', 'Janet', 'Raymond', 'Catherine', 'Jack', 'Maria', 'Dennis', 'Heather', 'Jerry', 'Diane',
  'Oliver', 'Olivia', 'Harry', 'Amelia', 'Noah', 'Isla', 'Leo', 'Ava', 'Arjun', 'Priya',
  'Wei', 'Mei', 'Hiroshi', 'Yuki', 'Lukas', 'Lena', 'Felix', 'Leonie', 'Mateo', 'Sofia',
  'Diego', 'Camila', 'Omar', 'Fatima', 'Kwame', 'Amara', 'Ivan', 'Olga', 'Raj', 'Ananya',
  'José', 'Zoë', 'Björn', 'Chloé', 'Søren', 'Renée', 'Jürgen', 'Inés', 'François', 'Małgorzata',
];

export const LAST_NAMES: readonly string[] = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin',
  'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson',
  'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores',
  'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts',
  'Gomez', 'Phillips', 'Evans', 'Turner', 'Diaz', 'Parker', 'Cruz', 'Edwards', 'Collins', 'Reyes',
  'Stewart', 'Morris', 'Morales', 'Murphy', 'Cook', 'Rogers', 'Gutierrez', 'Ortiz', 'Morgan', 'Cooper',
  'Peterson', 'Bailey', 'Reed', 'Kelly', 'Howard', 'Ramos', 'Kim', 'Cox', 'Ward', 'Richardson',
  'Watson', 'Brooks', 'Chavez', 'Wood', 'James', 'Bennett', 'Gray', 'Mendoza', 'Ruiz', 'Hughes',
  'Price', 'Alvarez', 'Castillo', 'Sanders', 'Patel', 'Myers', 'Long', 'Ross', 'Foster', 'Jimenez',
  'Chen', 'Wang', 'Zhang', 'Li', 'Liu', 'Tanaka', 'Suzuki', 'Sato', 'Sharma', 'Gupta',
  'Singh', 'Okafor', 'Mensah', 'Ivanova', 'Petrov', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Wagner',
  'Becker', 'Hoffmann', 'Dubois', 'Laurent', 'Rossi', 'Russo', 'Kowalski', 'Nowak', 'Jensen', 'Larsen',
  "O'Connor", "O'Brien", 'Müller', 'Søndergaard', 'Núñez', 'Van der Berg', 'MacDonald', 'Montgomery-Smith', 'Fitzgerald', 'Abernathy',
];

export interface Department {
  readonly name: string;
  readonly titles: readonly string[];
}

export const DEPARTMENTS: readonly Department[] = [
  { name: 'Engineering', titles: ['Software Engineer', 'Senior Software Engineer', 'Principal Engineer', 'Site Reliability Engineer', 'QA Engineer', 'Engineering Manager'] },
  { name: 'Sales', titles: ['Account Executive', 'Sales Development Representative', 'Account Manager', 'Sales Manager', 'Sales Engineer'] },
  { name: 'Marketing', titles: ['Marketing Specialist', 'Content Strategist', 'Product Marketing Manager', 'Brand Manager'] },
  { name: 'Finance', titles: ['Financial Analyst', 'Accountant', 'Senior Accountant', 'Finance Manager', 'Payroll Specialist'] },
  { name: 'Human Resources', titles: ['HR Business Partner', 'Recruiter', 'HR Generalist', 'HR Manager'] },
  { name: 'IT', titles: ['Systems Administrator', 'Helpdesk Technician', 'Network Engineer', 'Security Analyst', 'IT Manager'] },
  { name: 'Operations', titles: ['Operations Analyst', 'Logistics Coordinator', 'Operations Manager', 'Facilities Coordinator'] },
  { name: 'Legal', titles: ['Legal Counsel', 'Paralegal', 'Compliance Officer'] },
  { name: 'Customer Support', titles: ['Support Engineer', 'Customer Success Manager', 'Support Team Lead'] },
  { name: 'Research', titles: ['Research Scientist', 'Data Scientist', 'Research Manager'] },
];

export interface Office {
  readonly office: string;
  readonly l: string;
  readonly st: string;
  readonly c: string;
  readonly co: string;
  /** ISO 3166 numeric, as AD's countryCode */
  readonly countryCode: number;
  /** phone prefix; four digits are appended */
  readonly phone: string;
}

export const OFFICES: readonly Office[] = [
  { office: 'Redmond', l: 'Redmond', st: 'WA', c: 'US', co: 'United States', countryCode: 840, phone: '+1 425 555 ' },
  { office: 'New York', l: 'New York', st: 'NY', c: 'US', co: 'United States', countryCode: 840, phone: '+1 212 555 ' },
  { office: 'Austin', l: 'Austin', st: 'TX', c: 'US', co: 'United States', countryCode: 840, phone: '+1 512 555 ' },
  { office: 'London', l: 'London', st: 'England', c: 'GB', co: 'United Kingdom', countryCode: 826, phone: '+44 20 7946 ' },
  { office: 'Munich', l: 'Munich', st: 'Bavaria', c: 'DE', co: 'Germany', countryCode: 276, phone: '+49 89 4161 ' },
  { office: 'Paris', l: 'Paris', st: 'Ile-de-France', c: 'FR', co: 'France', countryCode: 250, phone: '+33 1 7091 ' },
  { office: 'Tokyo', l: 'Tokyo', st: 'Tokyo', c: 'JP', co: 'Japan', countryCode: 392, phone: '+81 3 4578 ' },
  { office: 'Bengaluru', l: 'Bengaluru', st: 'Karnataka', c: 'IN', co: 'India', countryCode: 356, phone: '+91 80 4012 ' },
];

/** Second word of generated group names: 'Finance Approvers', 'Sales Project Orion'. */
export const GROUP_KINDS: readonly string[] = [
  'Team', 'Project', 'Approvers', 'Readers', 'Editors', 'Owners', 'Access', 'Leads', 'Reviewers', 'Champions',
];

export const CODENAMES: readonly string[] = [
  'Orion', 'Atlas', 'Phoenix', 'Zephyr', 'Aurora', 'Nimbus', 'Cobalt', 'Falcon', 'Helix', 'Juniper',
  'Kestrel', 'Lumen', 'Meridian', 'Nova', 'Onyx', 'Pulsar', 'Quartz', 'Raven', 'Sierra', 'Titan',
  'Umbra', 'Vega', 'Willow', 'Xenon', 'Yukon', 'Zenith', 'Apollo', 'Borealis', 'Cascade', 'Delta',
];
